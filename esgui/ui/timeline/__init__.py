"""The Timeline and Balance docks: scrub, step or play through an account's versions
(`panel`, `playback`) over its history loaded once (`history`), the balance chart
beside them (`balance_chart`)."""
