"""Light and dark themes: the Fusion style, a palette, and a style sheet from resources/."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication

RESOURCES = Path(__file__).resolve().parents[3] / "resources"
THEMES = ("light", "dark")


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)


def app_icon() -> QIcon:
    path = resource("icons", "esgui.svg")
    return QIcon(str(path)) if path.exists() else QIcon()


def _palette(name: str) -> QPalette:
    palette = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    if name == "dark":
        colors = {
            role.Window: "#2b2f33", role.WindowText: "#e6e6e6", role.Base: "#1f2327",
            role.AlternateBase: "#262a2f", role.ToolTipBase: "#31363b",
            role.ToolTipText: "#e6e6e6", role.Text: "#e6e6e6", role.Button: "#33383d",
            role.ButtonText: "#e6e6e6", role.BrightText: "#ff6b6b", role.Link: "#5aa9ff",
            role.Highlight: "#2f6db5", role.HighlightedText: "#ffffff",
            role.PlaceholderText: "#8a9096", role.Mid: "#3c4247", role.Dark: "#1a1d20",
            role.Light: "#40464c", role.Midlight: "#383e43", role.Shadow: "#111315",
        }  # fmt: skip
        disabled = {role.Text: "#6c7278", role.ButtonText: "#6c7278",
                    role.WindowText: "#6c7278"}  # fmt: skip
    else:
        colors = {
            role.Window: "#f3f4f6", role.WindowText: "#1d2125", role.Base: "#ffffff",
            role.AlternateBase: "#f6f8fa", role.ToolTipBase: "#ffffe6",
            role.ToolTipText: "#1d2125", role.Text: "#1d2125", role.Button: "#f7f8fa",
            role.ButtonText: "#1d2125", role.BrightText: "#c62828", role.Link: "#1f6fd1",
            role.Highlight: "#cfe3fb", role.HighlightedText: "#0d2a4d",
            role.PlaceholderText: "#8a9199", role.Mid: "#c9ced4", role.Dark: "#a9b0b8",
            role.Light: "#ffffff", role.Midlight: "#e6e9ed", role.Shadow: "#7d848c",
        }  # fmt: skip
        disabled = {role.Text: "#9aa1a9", role.ButtonText: "#9aa1a9",
                    role.WindowText: "#9aa1a9"}  # fmt: skip
    for color_role, value in colors.items():
        palette.setColor(color_role, QColor(value))
    for color_role, value in disabled.items():
        palette.setColor(group.Disabled, color_role, QColor(value))
    return palette


def style_sheet(name: str) -> str:
    path = resource(f"{name}.qss")
    base = resource("base.qss")
    parts = [p.read_text(encoding="utf-8") for p in (base, path) if p.exists()]
    return "\n".join(parts)


def apply_theme(app: QApplication, name: str) -> str:
    """Apply `name` (light or dark) to the whole application; returns the name used."""
    name = name if name in THEMES else "light"
    app.setStyle("Fusion")
    app.setPalette(_palette(name))
    app.setStyleSheet(style_sheet(name))
    app.setProperty("esgui_theme", name)
    return name
