"""Our Rasa components, imported by the Rasa server because config.yml names them.

Importing them also installs two speed fixes in the Rasa server: the validation of action replies
(see action_replies) and the joining of sparse features (see sparse_features)."""

from .action_replies import install as _install_action_reply_validation
from .sparse_features import install as _install_sparse_feature_joining

_install_action_reply_validation()
_install_sparse_feature_joining()
