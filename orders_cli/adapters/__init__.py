"""What talks to the outside world: the settings file (settings.py), the environment and the
terminal (env.py), PDFs (pdf.py, templating.py), e-mail over SMTP (mail.py) and files written
for the user (files.py). Imports only core/ of ours. The e-invoice writers (Factur-X, CII, UBL)
belong here."""
