"""Plan pages: thin views over carestat.plans.services, selectors and progress.

Kept by topic: ``pages`` (reading plans, my actions, an action and a milestone with their
updates, Excel) and ``structure`` (keeping a plan: its structure, details, archiving and
rules). Every view is imported here, so the URLs and other code reach them as before.
"""

from carestat.plans.views.inbox import inbox, redate_decide  # noqa: F401
from carestat.plans.views.pages import (  # noqa: F401
    SECTION,
    XLSX,
    action_page,
    changes,
    delivery,
    export,
    export_list,
    import_plan,
    milestone_page,
    my_actions,
    plan_list,
    plan_tree_page,
    review_update,
    template,
    timeline,
)
from carestat.plans.views.structure import (  # noqa: F401
    ARCHIVABLE,
    action_edit,
    action_new,
    archive_item,
    archived,
    milestone_edit,
    milestone_new,
    objective_edit,
    objective_new,
    plan_edit,
    plan_new,
    plan_rules,
    priority_edit,
    priority_new,
    unarchive_item,
)
