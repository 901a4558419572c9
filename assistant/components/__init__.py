"""Our Rasa components, imported by the Rasa server because config.yml names them.

Importing them also installs a speed fix for Rasa's validation of action replies (see action_replies)."""

from .action_replies import install as _install_action_reply_validation

_install_action_reply_validation()
