"""Business operations on plans, actions, milestones and period updates.

Each is transactional, checks the actor's role (and, for contributors, that they own the
action; for managers, that the action's lead unit is within theirs), records one audit
entry in words, and raises a typed error from carestat.core.errors.

They are kept by topic: ``common`` (locking, stamps and who may do what), ``structure``
(plans, priorities, objectives, actions, archiving, rules), ``milestones`` (their dates and
RAG) and ``updates`` (period updates, snapshots at close, reminders). Every public name is
imported here, so ``from carestat.plans import services`` reaches them all.
"""

from carestat.plans.services.common import (  # noqa: F401
    ACTION_FIELDS,
    MILESTONE_FIELDS,
    PLAN_FIELDS,
    STAMP_FIELDS,
    UPDATE_FIELDS,
    can_manage_action,
    can_update_action,
    require_manage_action,
    require_update_action,
    within_unit,
)
from carestat.plans.services.milestones import (  # noqa: F401
    complete_milestone,
    decide_redate,
    import_milestone_dates,
    override_rag,
    past_action_end,
    redate_milestone,
    rename_milestone,
)
from carestat.plans.services.structure import (  # noqa: F401
    PlanItem,
    add_action,
    add_milestone,
    add_objective,
    add_priority,
    archive,
    archived_ancestor,
    create_plan,
    parent_of,
    set_plan_rules,
    unarchive,
    update_action,
    update_objective,
    update_plan,
    update_priority,
)
from carestat.plans.services.updates import (  # noqa: F401
    approve_update,
    period_due,
    reminders,
    return_update,
    review_updates,
    save_update,
    send_reminders,
    take_period_snapshot,
)
