"""What questionnaires hold about one person, found by their address: privacy's data copy and erasure (PIPL art. 45
and 47, docs/privacy.md). An invitation (``Invitation``) is the only row here that names a person; for a
questionnaire that is not anonymous its response points at it, so the answers given through it are theirs too. An
anonymous questionnaire's response names no invitation: nothing here can say which answers are the person's.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from fankui.notify import services as notify
from fankui.notify.models import normalised

from ..models import Answer, Invitation, Response


def invitations_to(address: notify.Address) -> QuerySet[Invitation]:
    """The invitations whose address is still ``address``: its channel and the keyed hash of its normalised form, as
    the list stored it (``distribution.add_invitations``). An erased invitation's hash names nothing
    (``erased:<id>``), so it is not found."""
    if address.channel not in Invitation.Channel.values or not address.address:
        return Invitation.objects.none()
    digest = notify.Address(address.channel, normalised(address.channel, address.address)).hash
    return Invitation.objects.filter(channel=address.channel, address_hash=digest, erased_at__isnull=True)


def with_answers(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    """``invitations`` in the order they were added, each with its questionnaire, response, answers and follow-up
    case read at once (a few queries, however many there are)."""
    answers = Answer.objects.select_related("question", "row", "choice").order_by(
        "question__page__position", "question__position", "row__position", "choice__position", "id"
    )
    responses = Response.objects.select_related("follow_up__case").prefetch_related(Prefetch("answers", answers))
    return (
        invitations.select_related("questionnaire")
        .prefetch_related(Prefetch("response", responses))
        .order_by("created_at", "id")
    )


def response_of(invitation: Invitation) -> Response | None:
    """The response given through ``invitation``: none when not answered, and none for an anonymous questionnaire
    (its response never names the invitation)."""
    if invitation.questionnaire.anonymous:
        return None
    try:
        return invitation.response
    except Response.DoesNotExist:
        return None


def _value(answer: Answer) -> str:
    if answer.number is not None:
        return str(answer.number)
    if answer.row is not None:
        return f"{answer.row.label}: {answer.choice.label if answer.choice else ''}"
    if answer.choice is not None:
        return answer.choice.label
    return answer.text


def answers_given(response: Response) -> list[tuple[str, str]]:
    """Each question ``response`` answered and the answer, in the questionnaire's order and the reader's language:
    a number, a choice's label (several joined), a matrix's rows with their column, a text as the person wrote it
    (it is their own: the data copy shows it whole, as it shows the text of their request)."""
    given: dict[int, tuple[str, list[str]]] = {}
    for answer in response.answers.all():
        given.setdefault(answer.question_id, (answer.question.text, []))[1].append(_value(answer))
    return [(question, "; ".join(values)) for question, values in given.values()]
