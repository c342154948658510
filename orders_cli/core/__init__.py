"""Pure rules: no IO, no SQLModel/Typer/Rich/fpdf. Imports nothing of ours but itself."""
