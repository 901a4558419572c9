"""Our Rasa components, imported by the Rasa server because config.yml names them.

Importing them also installs three speed fixes in the Rasa server: the validation of action replies
(see action_replies), the joining of sparse features (see sparse_features) and the running of model graphs in
a fixed order instead of through dask's scheduler (see graph_runner)."""

from .action_replies import install as _install_action_reply_validation
from .graph_runner import install as _install_graph_runner
from .sparse_features import install as _install_sparse_feature_joining

_install_action_reply_validation()
_install_sparse_feature_joining()
_install_graph_runner()
