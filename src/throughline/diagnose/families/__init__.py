"""Built-in diagnostic families; importing this package registers them."""

from throughline.diagnose.families import post_sale  # noqa: F401,E402  (families A)
from throughline.diagnose.families import sales_pipeline  # noqa: F401,E402  (families A)
from throughline.diagnose.families import honesty  # noqa: F401,E402  (families A)
from throughline.diagnose.families import icp  # noqa: F401,E402  (families A)
from throughline.diagnose.families import feedback  # noqa: F401,E402  (families B)
from throughline.diagnose.families import handoff  # noqa: F401,E402  (families B)
from throughline.diagnose.families import legibility  # noqa: F401,E402  (families B)
from throughline.diagnose.families import messaging  # noqa: F401,E402  (families B)
from throughline.diagnose.families import promises  # noqa: F401,E402  (families B)
from throughline.diagnose.families import attribution  # noqa: F401,E402  (families A)
from throughline.diagnose.families import channels  # noqa: F401,E402  (families A)
from throughline.diagnose.families import push_pull  # noqa: F401,E402  (families A)
