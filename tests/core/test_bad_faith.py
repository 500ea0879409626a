"""Bad faith as a procedure on the complaint and the person (DL 14; RG 2.1.3, RG 11), the
RG 10.2 forwarding on breach of obligations, apartamiento's DL 9.3 conditions, a lifted
suspension, and the measures that end with the PAD (RG 6.2). Hand-computed dates on Peru's
calendar: Semana Santa 2026 is Thursday 2 and Friday 3 April."""

from __future__ import annotations

import datetime as dt

import pytest
from case_builders import World
from case_builders import act
from case_builders import at_lima
from case_builders import file_case
from sqlalchemy import select

from core.errors import CapabilityRequired
from core.errors import TransitionRefused
from core.law.enums import BadFaithType
from core.law.enums import Beneficiary
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.measures_workflow import CeaseGround
from core.law.measures_workflow import Criterion
from core.law.measures_workflow import MeasureAct
from core.law.workflow import Act
from core.services import badfaith
from core.services import obligations
from core.services.measure_requests import request_measure
from core.services.measures import apply_measure_act
from core.storage.models import BadFaithProcedure
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Forwarding
from core.storage.models import Measure
from core.storage.models import Officer

K = DeadlineKind
M = MeasureState
A = MeasureAct
CRITERIA = {
    Criterion.TRASCENDENCIA: True,
    Criterion.GRAVEDAD: True,
    Criterion.VEROSIMILITUD: True,
    Criterion.SUBORDINACION: True,
}


def mact(w: World, m: Measure, a: MeasureAct, when: dt.datetime, by: Officer | None = None, **kw):  # type: ignore[no-untyped-def]
    return apply_measure_act(
        w.session,
        m,
        a,
        officer=by or w.head,
        reasoning="Motivación.",
        now=when,
        calendar=w.calendar,
        office_recipients=w.recipients,
        **kw,
    )


def in_force(w: World) -> tuple[Case, Measure, Measure]:
    """Filed Mon 2 Mar 2026 with identity reserve (in force at once) and a transfer, in force
    from Fri 6 Mar 2026."""
    case = file_case(w, at_lima(2026, 3, 2), protection=True)
    act(w, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 3, 3))
    transfer = next(m for m in case.measures if m.type is MeasureType.TRANSFER_COMPLAINANT)
    reserve = next(m for m in case.measures if m.type is MeasureType.IDENTITY_RESERVE)
    mact(w, transfer, A.REQUEST_HR_REPORT, at_lima(2026, 3, 3), by=w.officer)
    mact(w, transfer, A.RECORD_HR_REPORT, at_lima(2026, 3, 4), hr_feasible=True)
    mact(w, transfer, A.GRANT, at_lima(2026, 3, 5), criteria=CRITERIA)
    mact(w, transfer, A.NOTIFY_COMPLAINANT, at_lima(2026, 3, 5))
    mact(w, reserve, A.NOTIFY_COMPLAINANT, at_lima(2026, 3, 5))
    mact(w, transfer, A.ENTER_INTO_FORCE, at_lima(2026, 3, 6))
    return case, transfer, reserve


def start(w: World, case: Case, when: dt.datetime, **kw) -> BadFaithProcedure:  # type: ignore[no-untyped-def]
    return badfaith.start_bad_faith(
        w.session,
        case,
        officer=kw.pop("officer", w.officer),
        bad_faith_type=kw.pop("bad_faith_type", BadFaithType.FALSE),
        reasoning="Pruebas simuladas.",
        now=when,
        calendar=w.calendar,
        office_recipients=w.recipients,
        **kw,
    )


def decide(w: World, p: BadFaithProcedure, when: dt.datetime, upheld: bool, by=None) -> CaseEvent:  # type: ignore[no-untyped-def]
    return badfaith.decide_bad_faith(
        w.session,
        p,
        officer=by or w.head,
        upheld=upheld,
        reasoning="Se acredita la mala fe." if upheld else "No se acredita.",
        now=when,
        calendar=w.calendar,
        office_recipients=w.recipients,
    )


def clocks(w: World, p: BadFaithProcedure) -> dict[DeadlineKind, dt.date]:
    rows = w.session.scalars(
        select(Deadline).where(Deadline.bad_faith_id == p.id, Deadline.satisfied_at.is_(None))
    )
    return {d.kind: d.due_on for d in rows}


def forwarded_by(w: World, event: CaseEvent) -> list[Destination]:
    return sorted(
        f.destination
        for f in w.session.scalars(select(Forwarding).where(Forwarding.event_id == event.id))
    )


def test_rg_11_bad_faith_on_a_complainant_with_no_measure(world: World) -> None:
    """DL 14, RG 2.1.3, RG 11: the procedure exists without any measure. Notice Wed 1 Apr
    2026; alegaciones Mon 6 - Fri 10 Apr (5 business days after Semana Santa); decision within
    10 business days after them: Fri 24 Apr. Upheld Mon 13 Apr: the file goes to the
    Procuraduría and the STPAD (RG 11.4)."""
    case = file_case(world, at_lima(2026, 3, 2))
    assert case.measures == []
    with pytest.raises(TransitionRefused) as refused:
        start(world, case, at_lima(2026, 4, 1), bad_faith_type=None)
    assert refused.value.code == "bad_faith_type_required"
    procedure = start(world, case, at_lima(2026, 4, 1))
    assert clocks(world, procedure) == {
        K.ALEGACIONES: dt.date(2026, 4, 10),
        K.DECISION: dt.date(2026, 4, 24),
    }
    notice = world.session.scalars(
        select(CaseEvent).where(CaseEvent.kind == "bad_faith.start")
    ).one()
    assert notice.visible_to_complainant and notice.data["due_on"] == "2026-04-10"
    with pytest.raises(TransitionRefused) as refused:
        decide(world, procedure, at_lima(2026, 4, 10), upheld=True)
    assert refused.value.code == "alegaciones_period_open"
    with pytest.raises(CapabilityRequired):
        decide(world, procedure, at_lima(2026, 4, 13), upheld=True, by=world.officer)
    event = decide(world, procedure, at_lima(2026, 4, 13), upheld=True)
    assert procedure.upheld is True and clocks(world, procedure) == {}
    assert forwarded_by(world, event) == [Destination.PROCURADURIA, Destination.STPAD]


def test_one_procedure_per_person_excludes_every_measure_at_once(world: World) -> None:
    """DL 14 ("excluido inmediatamente"): one procedure for the person, not one per measure; the
    upheld decision excludes the reserve and the transfer together and forwards once."""
    case, transfer, reserve = in_force(world)
    witness = request_measure(
        world.session,
        case,
        measure_type=MeasureType.IDENTITY_RESERVE,
        beneficiary=Beneficiary.WITNESS,
        officer=world.officer,
        reasoning="Testigo.",
        now=at_lima(2026, 3, 9),
        calendar=world.calendar,
        office_recipients=world.recipients,
    )
    procedure = start(world, case, at_lima(2026, 4, 1))
    with pytest.raises(TransitionRefused) as refused:
        start(world, case, at_lima(2026, 4, 1))
    assert refused.value.code == "bad_faith_already_open"
    # Neither a parallel per-measure procedure nor a cease that bypasses this one.
    with pytest.raises(TransitionRefused) as refused:
        mact(
            world,
            transfer,
            A.START_BAD_FAITH_CESSATION,
            at_lima(2026, 4, 1),
            bad_faith_type=BadFaithType.FALSE,
        )
    assert refused.value.code == "act_not_allowed_in_state"
    with pytest.raises(TransitionRefused) as refused:
        mact(world, transfer, A.CEASE, at_lima(2026, 4, 6), cease_ground=CeaseGround.OTHER)
    assert refused.value.code == "bad_faith_pending"
    # Exclusion is only the procedure's consequence.
    with pytest.raises(TransitionRefused) as refused:
        mact(world, transfer, A.EXCLUDE_FOR_BAD_FAITH, at_lima(2026, 4, 6))
    assert refused.value.code == "bad_faith_not_upheld"
    # Alegaciones received Mon 6 Apr: the decision may come before the period ends.
    badfaith.record_bad_faith_alegaciones(
        world.session,
        procedure,
        officer=world.officer,
        reasoning="Escrito recibido.",
        now=at_lima(2026, 4, 6),
        office_recipients=world.recipients,
    )
    assert clocks(world, procedure) == {K.DECISION: dt.date(2026, 4, 24)}
    event = decide(world, procedure, at_lima(2026, 4, 7), upheld=True)
    assert (transfer.state, reserve.state) == (M.EXCLUDED, M.EXCLUDED)
    assert transfer.in_force_until == reserve.in_force_until == dt.date(2026, 4, 7)
    assert witness.state is M.IN_FORCE  # a witness's measures are not the complainant's
    assert forwarded_by(world, event) == [Destination.PROCURADURIA, Destination.STPAD]
    # A new procedure may start on new facts once this one is decided.
    assert badfaith.open_procedure(world.session, case) is None
    # DL 14: excluded means no new measure for the complainant either [INF]; a witness may.
    with pytest.raises(TransitionRefused) as refused:
        request_measure(
            world.session,
            case,
            measure_type=MeasureType.CONTRACT_RENEWAL,
            officer=world.officer,
            reasoning="Nueva solicitud.",
            now=at_lima(2026, 4, 8),
            calendar=world.calendar,
            office_recipients=world.recipients,
        )
    assert refused.value.code == "excluded_for_bad_faith"


def test_bad_faith_not_upheld_leaves_the_measures_in_force(world: World) -> None:
    case, transfer, _ = in_force(world)
    procedure = start(world, case, at_lima(2026, 4, 1))
    event = decide(world, procedure, at_lima(2026, 4, 13), upheld=False)
    assert transfer.state is M.IN_FORCE
    assert forwarded_by(world, event) == []
    assert procedure.upheld is False


def test_only_the_complainant_is_subject_to_bad_faith(world: World) -> None:
    case = file_case(world, at_lima(2026, 3, 2))
    with pytest.raises(TransitionRefused) as refused:
        start(world, case, at_lima(2026, 4, 1), person=Beneficiary.WITNESS)
    assert refused.value.code == "bad_faith_person"


def test_rg_10_2_breach_forwards_to_the_procuraduria_and_the_stpad(world: World) -> None:
    """RG 10.2: breach of the protected person's obligations (DL 13.1; RG 10.1)."""
    bare = file_case(world, at_lima(2026, 3, 2))
    with pytest.raises(TransitionRefused) as refused:
        obligations.record_breach(
            world.session,
            bare,
            officer=world.officer,
            reasoning="No se ratificó.",
            now=at_lima(2026, 4, 6),
            office_recipients=world.recipients,
        )
    assert refused.value.code == "not_protected"
    case, transfer, _ = in_force(world)
    event = obligations.record_breach(
        world.session,
        case,
        officer=world.officer,
        reasoning="Divulgó la medida.",
        now=at_lima(2026, 4, 6),
        office_recipients=world.recipients,
    )
    assert event.visible_to_complainant
    assert forwarded_by(world, event) == [Destination.PROCURADURIA, Destination.STPAD]
    assert transfer.state is M.IN_FORCE  # suspension is its own RG 9 procedure


def test_a_lifted_suspension_returns_the_measure_to_force(world: World) -> None:
    """DL 12.1, RG 9: suspension started Mon 4 May 2026, decided Tue 12 May (alegaciones ended
    Mon 11 May), lifted Wed 20 May: the transfer is in force again."""
    _case, transfer, _ = in_force(world)
    mact(world, transfer, A.START_SUSPENSION, at_lima(2026, 5, 4))
    mact(world, transfer, A.DECIDE_SUSPENSION, at_lima(2026, 5, 12), upheld=True)
    assert transfer.state is M.SUSPENDED
    with pytest.raises(CapabilityRequired):
        mact(world, transfer, A.LIFT_SUSPENSION, at_lima(2026, 5, 20), by=world.officer)
    event = mact(world, transfer, A.LIFT_SUSPENSION, at_lima(2026, 5, 20))
    assert transfer.state is M.IN_FORCE and event.visible_to_complainant
    assert transfer.in_force_from == dt.date(2026, 3, 6)


def test_apartamiento_needs_the_three_conditions_of_dl_9_3(world: World) -> None:
    """DL 9.3, RG 6.3: reasonable indications, a decisive post, and a risk of retaliation."""
    case = file_case(world, at_lima(2026, 11, 13))
    removal = request_measure(
        world.session,
        case,
        measure_type=MeasureType.PROCUREMENT_REMOVAL,
        officer=world.officer,
        reasoning="Postor.",
        now=at_lima(2026, 11, 16),
        calendar=world.calendar,
        office_recipients=world.recipients,
    )
    partial = {**CRITERIA, Criterion.INDICIOS_RAZONABLES: True, Criterion.CARGO_DETERMINANTE: True}
    with pytest.raises(TransitionRefused) as refused:
        mact(world, removal, A.GRANT, at_lima(2026, 11, 17), criteria=partial)
    assert refused.value.code == "apartamiento_conditions_required"
    full = {**partial, Criterion.RIESGO_REPRESALIA: True}
    mact(world, removal, A.GRANT, at_lima(2026, 11, 17), criteria=full)
    assert removal.state is M.GRANTED
    assert removal.criteria["riesgo_represalia"] is True


def test_rg_6_2_transfer_and_leave_end_with_the_pad(world: World) -> None:
    """RG 6.2, last paragraph: the head records that the PAD ended on Fri 5 Jun 2026 (recorded
    Mon 8 Jun); the transfer ceases with ground "fin_pad", the identity reserve stays, and no
    transfer or leave can be granted afterwards."""
    case, transfer, reserve = in_force(world)
    leave = request_measure(
        world.session,
        case,
        measure_type=MeasureType.PAID_LEAVE_REPORTED,
        officer=world.officer,
        reasoning="Riesgo para la investigación.",
        now=at_lima(2026, 6, 1),
        calendar=world.calendar,
        office_recipients=world.recipients,
    )
    mact(world, leave, A.REQUEST_HR_REPORT, at_lima(2026, 6, 1), by=world.officer)
    mact(world, leave, A.RECORD_HR_REPORT, at_lima(2026, 6, 2), hr_feasible=True)
    kw = dict(
        ended_on=dt.date(2026, 6, 5),
        reasoning="Oficio de la STPAD.",
        now=at_lima(2026, 6, 8),
        calendar=world.calendar,
        office_recipients=world.recipients,
    )
    with pytest.raises(CapabilityRequired):
        obligations.record_pad_end(world.session, case, officer=world.officer, **kw)  # type: ignore[arg-type]
    event = obligations.record_pad_end(world.session, case, officer=world.head, **kw)  # type: ignore[arg-type]
    assert event.data == {"ended_on": "2026-06-05"}
    assert transfer.state is M.CEASED and transfer.in_force_until == dt.date(2026, 6, 8)
    cease = world.session.scalars(
        select(CaseEvent).where(
            CaseEvent.measure_id == transfer.id, CaseEvent.kind == "measure.cease"
        )
    ).one()
    assert cease.data["cease_ground"] == "fin_pad"
    assert reserve.state is M.IN_FORCE
    with pytest.raises(TransitionRefused) as refused:
        mact(world, leave, A.GRANT, at_lima(2026, 6, 9), criteria=CRITERIA)
    assert refused.value.code == "pad_ended"
    with pytest.raises(TransitionRefused) as refused:
        obligations.record_pad_end(world.session, case, officer=world.head, **kw)  # type: ignore[arg-type]
    assert refused.value.code == "pad_end_recorded"
