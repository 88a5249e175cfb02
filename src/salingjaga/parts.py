"""The parts of each domain the app is assembled from, imported plainly.

A domain contributes tables (``models``), API routers (``api``), pages (``web``),
middleware, demo data (``demo``), periodic work (``background``), a panel of the
signed-in home page (``home``) and the words its errors are said in (``error_words``); see
docs/architecture.md. The commands (``cli``) are listed in ``salingjaga.cli``. Listing them
here, rather than finding them by name, lets the import graph, mypy and the import-linter
contract see every edge; ``tests/test_wiring.py`` fails when a domain has such a module
that is missing here. Each list keeps the order of ``domains.DOMAINS``, the order the app
includes them in.
"""

from __future__ import annotations

from types import ModuleType

from salingjaga.audit import background as audit_background
from salingjaga.audit import models as audit_models
from salingjaga.auth import error_words as auth_error_words
from salingjaga.auth import middleware as auth_middleware
from salingjaga.auth import models as auth_models
from salingjaga.content import api as content_api
from salingjaga.content import error_words as content_error_words
from salingjaga.content import models as content_models
from salingjaga.detection import api as detection_api
from salingjaga.detection import demo as detection_demo
from salingjaga.detection import error_words as detection_error_words
from salingjaga.detection import models as detection_models
from salingjaga.factcheck import api as factcheck_api
from salingjaga.factcheck import demo as factcheck_demo
from salingjaga.factcheck import error_words as factcheck_error_words
from salingjaga.factcheck import home as factcheck_home
from salingjaga.factcheck import models as factcheck_models
from salingjaga.factcheck import web as factcheck_web
from salingjaga.guide import api as guide_api
from salingjaga.guide import demo as guide_demo
from salingjaga.guide import error_words as guide_error_words
from salingjaga.guide import home as guide_home
from salingjaga.guide import models as guide_models
from salingjaga.guide import web as guide_web
from salingjaga.moderation import api as moderation_api
from salingjaga.moderation import background as moderation_background
from salingjaga.moderation import error_words as moderation_error_words
from salingjaga.moderation import home as moderation_home
from salingjaga.moderation import models as moderation_models
from salingjaga.moderation import web as moderation_web
from salingjaga.notices import api as notices_api
from salingjaga.notices import demo as notices_demo
from salingjaga.notices import error_words as notices_error_words
from salingjaga.notices import home as notices_home
from salingjaga.notices import models as notices_models
from salingjaga.notices import web as notices_web
from salingjaga.partners import api as partners_api
from salingjaga.partners import error_words as partners_error_words
from salingjaga.partners import models as partners_models
from salingjaga.partners import web as partners_web
from salingjaga.policies import api as policies_api
from salingjaga.policies import error_words as policies_error_words
from salingjaga.policies import models as policies_models
from salingjaga.policies import web as policies_web
from salingjaga.regions import api as regions_api
from salingjaga.regions import error_words as regions_error_words
from salingjaga.rules import api as rules_api
from salingjaga.rules import demo as rules_demo
from salingjaga.rules import error_words as rules_error_words
from salingjaga.rules import models as rules_models
from salingjaga.stream import api as stream_api
from salingjaga.stream import background as stream_background
from salingjaga.stream import error_words as stream_error_words
from salingjaga.stream import middleware as stream_middleware
from salingjaga.stream import models as stream_models
from salingjaga.training import api as training_api
from salingjaga.training import error_words as training_error_words
from salingjaga.training import models as training_models
from salingjaga.training import web as training_web
from salingjaga.transparency import api as transparency_api
from salingjaga.transparency import background as transparency_background
from salingjaga.transparency import error_words as transparency_error_words
from salingjaga.transparency import models as transparency_models
from salingjaga.transparency import web as transparency_web
from salingjaga.web import error_words as web_error_words
from salingjaga.web import home as web_home
from salingjaga.web import middleware as web_middleware
from salingjaga.web import models as web_models
from salingjaga.web import web as web_web

# Tables: importing a models module puts its tables on the shared metadata.
MODELS: tuple[ModuleType, ...] = (
    auth_models, policies_models, audit_models, partners_models, content_models, rules_models,
    detection_models, factcheck_models, moderation_models, notices_models, guide_models, training_models,
    transparency_models, stream_models, web_models,
)
# ``router`` or ``routers``: included side by side at the top of the app.
API: tuple[ModuleType, ...] = (
    regions_api, policies_api, partners_api, content_api, rules_api, detection_api, factcheck_api,
    moderation_api, notices_api, guide_api, training_api, transparency_api, stream_api,
)
# Pages, the shell's last. Each may offer a ``PRINCIPAL_LOADER``: a way to sign in other
# than an API key.
WEB: tuple[ModuleType, ...] = (
    policies_web, partners_web, factcheck_web, moderation_web, notices_web, guide_web, training_web,
    transparency_web, web_web,
)
# ``install(app, settings)``, in this order.
MIDDLEWARE: tuple[ModuleType, ...] = (auth_middleware, stream_middleware, web_middleware)
# ``load(session, settings, ctx)``, in this order (later ones use earlier ones' rows).
DEMO: tuple[ModuleType, ...] = (rules_demo, detection_demo, factcheck_demo, notices_demo, guide_demo)
# ``start(db, stream, settings) -> stopper``
BACKGROUND: tuple[ModuleType, ...] = (
    audit_background, moderation_background, transparency_background, stream_background,
)
# ``panel(session, settings, who) -> web.panels.Panel | None``: what each role sees on
# arriving home, in this order (registered with the shell by ``wiring``).
HOME: tuple[ModuleType, ...] = (factcheck_home, moderation_home, notices_home, guide_home, web_home)
# ``ERRORS``: how a page says each error reason of the domain (``web.reasons``, at wiring).
ERROR_WORDS: tuple[ModuleType, ...] = (
    auth_error_words, regions_error_words, policies_error_words, partners_error_words, content_error_words,
    rules_error_words, detection_error_words, factcheck_error_words, moderation_error_words, notices_error_words,
    guide_error_words, training_error_words, transparency_error_words, stream_error_words, web_error_words,
)
