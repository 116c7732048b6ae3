"""What people read when signing in goes wrong or their role does not reach.

Module constants so the tests check the very sentences people see. The provider's own
`error_description` is never shown: it arrives in the URL, so anybody could put any
text there; the logs keep it.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class SSOProblem(StrEnum):
    DENIED = "denied"
    STATE = "state"
    CODE = "code"
    PROVIDER_DOWN = "provider_down"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - a problem name, not a secret
    REJECTED = "rejected"
    INACTIVE = "inactive"
    CONFIG = "config"
    PROVIDER_ERROR = "provider_error"
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class ProblemText:
    message: Promise
    status: int
    ask_admin: bool = False


SSO_DENIED = _(
    "Sign-in was cancelled or refused at the sign-in service. If you did not mean to cancel, try again."
)
SSO_STATE = _(
    "This sign-in could not be matched to your browser session. It may have been started in "
    "another tab or browser, or it took too long. Please start again."
)
SSO_CODE = _("The sign-in took too long or was already used. Please start again.")
SSO_PROVIDER_DOWN = _(
    "The sign-in service cannot be reached right now. Please try again in a moment; if it "
    "stays like this, tell your administrator."
)
SSO_INVALID_TOKEN = _(
    "The answer from the sign-in service could not be verified, so relaydash did not sign you in. "
    "Please try again; if it happens again, tell your administrator."
)
SSO_REJECTED = _(
    "The sign-in service did not tell relaydash who you are, so you could not be signed in. "
    "Please tell your administrator."
)
SSO_INACTIVE = _("Your relaydash account has been disabled. Please ask your administrator.")
SSO_CONFIG = _(
    "relaydash is not set up correctly with the sign-in service, so nobody can sign in at the "
    "moment. Please tell your administrator."
)
SSO_PROVIDER_ERROR = _("The sign-in service reported a problem (%(code)s). Please try again.")
SSO_NOT_CONFIGURED = _(
    "Company sign-in is not set up for this installation. An administrator can still sign in "
    "with the emergency administrator account."
)

SSO_PROBLEMS: dict[SSOProblem, ProblemText] = {
    SSOProblem.DENIED: ProblemText(SSO_DENIED, 403),
    SSOProblem.STATE: ProblemText(SSO_STATE, 400),
    SSOProblem.CODE: ProblemText(SSO_CODE, 400),
    SSOProblem.PROVIDER_DOWN: ProblemText(SSO_PROVIDER_DOWN, 503),
    SSOProblem.INVALID_TOKEN: ProblemText(SSO_INVALID_TOKEN, 400),
    SSOProblem.REJECTED: ProblemText(SSO_REJECTED, 403, ask_admin=True),
    SSOProblem.INACTIVE: ProblemText(SSO_INACTIVE, 403, ask_admin=True),
    SSOProblem.CONFIG: ProblemText(SSO_CONFIG, 500, ask_admin=True),
    SSOProblem.PROVIDER_ERROR: ProblemText(SSO_PROVIDER_ERROR, 400),
    SSOProblem.NOT_CONFIGURED: ProblemText(SSO_NOT_CONFIGURED, 503, ask_admin=True),
}

NO_ACCESS = _(
    "You are signed in, but none of your groups gives you access to relaydash. Please ask your "
    "administrator to add you to the right group, then sign in again."
)
SIGNED_OUT = _("You have been signed out.")
RENEWAL_REPEAT = _(
    "Your sign-in was checked again with the sign-in service before your last change was saved, "
    "so that change was not made. Please do it again."
)
