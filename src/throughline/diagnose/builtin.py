"""The built-in diagnostic families: importing this module registers them.

The engine (:mod:`throughline.diagnose.run`) imports it, so ``registry.diagnostics()``
lists the built-ins whenever ``throughline.diagnose`` is imported. A plugin registers its
own diagnostics through the same ``registry`` decorator.
"""

from throughline.diagnose.families import (  # noqa: F401  (registration)
    attribution,
    channels,
    feedback,
    handoff,
    honesty,
    icp,
    legibility,
    messaging,
    post_sale,
    promises,
    push_pull,
    sales_pipeline,
)
