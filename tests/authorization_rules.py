"""The rules of the authorization matrix (tests/test_authorization_matrix.py): who may do what on every route.

One line per route: the route's name (``namespace:name``; an unnamed route as ``path:<pattern>``; an API operation as
``api:<operationId>``) → for each HTTP method tested, the expected outcome for each role, in this order:

    anonymous · agent (of the ticket's team) · agent of another team · supervisor · admin · analyst ·
    another organisation's admin · API token · another organisation's API token

Outcomes, one character each, separated by spaces:

    O  allowed: 2xx, or a redirect elsewhere than the sign-in page, or a refusal of the (empty) input — 400, 409,
       422 — which means the request got past the permission checks
    L  sent to sign in (a redirect to a /login/ page)
    1  401 (the API without a valid token)
    3  403 (a role that may not)
    4  404 (another organisation's object, or a ticket outside the agent's scope: as if it did not exist)
    *  anything but a server error (public endpoints whose answer depends on a signature or an origin)

A new route without a line here fails the matrix, naming the route and showing what each role got: check that
against what the route should allow before copying it in. Objects in URLs come from the world the test builds
(:data:`PARAMS`); a route whose parameter needs another object says so with ``params``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("anonymous", "agent", "other_agent", "supervisor", "admin", "analyst", "outsider", "token", "other_token")


@dataclass(frozen=True)
class Rule:
    #: method → nine outcome characters (see the module's docstring)
    expect: dict[str, tuple[str, ...]]
    #: URL parameter → the name of a world object to use instead of the default for that parameter
    params: dict[str, str] = field(default_factory=dict)
    #: a query string to send (e.g. to end a stream at once)
    query: str = ""
    #: the body of unsafe requests (default: empty), with ``{world object}`` placeholders — for endpoints that check
    #: the body before they look the object up, so an empty one would hide who may reach the object
    body: dict[str, str] = field(default_factory=dict)


def rule(*, get: str = "", post: str = "", patch: str = "", params: dict[str, str] | None = None,
         query: str = "", body: dict[str, str] | None = None) -> Rule:
    expect = {}
    for method, row in (("GET", get), ("POST", post), ("PATCH", patch)):
        if row:
            codes = tuple(row.split())
            assert len(codes) == len(ROLES), f"{method} {row!r}: one outcome per role, {len(ROLES)} of them"
            expect[method] = codes
    assert expect, "a rule tests at least one method"
    return Rule(expect, params or {}, query, body or {})


# --- common rows -------------------------------------------------------------------------------------------------
#                 anon agent other sup admin analyst outsider token other_token
SIGNED_IN = "L O O O O O O L L"        # any agent of any organisation (their own organisation's data)
WORKERS = "L O O O O 3 O L L"          # roles that work tickets; analysts read only
TICKET = "L O 4 O O O 4 L L"           # the ticket of kari's team: another team's agent and another brand get 404
TICKET_WORK = "L O 4 O O 3 4 L L"      # … changing it: analysts 403
TICKET_REVEAL = "L O 4 O O 3 4 L L"    # … revealing its personal data: analysts 403
STAFF_LOOK = "L 3 3 O O 3 O L L"       # admins change, supervisors look (lists of the viewer's own organisation)
STAFF_LOOK_OBJ = "L 3 3 O O 3 4 L L"   # … one of fjord's objects
ADMIN_ONLY = "L 3 3 3 O 3 O L L"       # admins only (their own organisation)
ADMIN_ONLY_OBJ = "L 3 3 3 O 3 4 L L"   # … one of fjord's objects
DASHBOARD_LOOK = "L 3 3 O O O O L L"   # supervisors, admins, analysts look
DASHBOARD_ACT = "L 3 3 O O 3 O L L"    # supervisors and admins act
REVIEW = "L O O O O 3 O L L"           # the reveal review: agents their own, analysts never
PUBLIC = "* * * * * * * * *"
DJANGO_ADMIN = "L L L L L L L L L"     # nobody of the personas is Django staff: the admin's sign-in page
API_LIST = "1 1 1 1 1 1 1 O O"         # the API: a token; the other brand's token sees its own (empty) list
API_OBJ = "1 1 1 1 1 1 1 O 4"          # … one of fjord's objects: the other brand's token gets 404
API_PUBLIC = "O O O O O O O O O"       # the schema and its docs page describe the API, not data

RULES: dict[str, Rule] = {
    # -- sign-in, the root ------------------------------------------------------------------------------------------
    "path:": rule(get="O O O O O O O O O"),
    "login": rule(get="O O O O O O O O O", post="O O O O O O O O O"),
    "logout": rule(post="L L L L L L L L L"),  # signed out, back to the sign-in page
    "health": rule(get="O O O O O O O O O"),
    "path:^api/(?P<rest>.*)$": rule(get="4 4 4 4 4 4 4 4 4", params={"rest": "nowhere"}),
    # -- the inbox ----------------------------------------------------------------------------------------------------
    "inbox:inbox": rule(get=SIGNED_IN),
    "inbox:list": rule(get=SIGNED_IN),
    "inbox:bulk": rule(post=WORKERS),
    "inbox:save_search": rule(post=SIGNED_IN),
    "inbox:delete_search": rule(post="L O 4 4 4 4 4 L L"),  # kari's own saved search
    "inbox:views": rule(get=SIGNED_IN),
    "inbox:language": rule(post="O O O O O O O O O"),  # the interface language: also before signing in
    "inbox:events": rule(get=SIGNED_IN, query="after=0&max=0"),
    "inbox:presence": rule(post=TICKET),
    "inbox:protect": rule(get=TICKET_WORK, post=TICKET_WORK),
    "inbox:ticket": rule(get=TICKET),
    "inbox:assign_me": rule(post=TICKET_WORK),
    "inbox:status": rule(post=TICKET_WORK),
    "inbox:no_reply_needed": rule(post=TICKET_WORK),
    "inbox:fields": rule(post=TICKET_WORK),
    "inbox:reply": rule(post=TICKET_WORK),
    "inbox:note": rule(post=TICKET_WORK),
    "inbox:move_to_private": rule(post=TICKET_WORK),
    "inbox:retry_message": rule(post=TICKET_WORK, params={"message_id": "outbound_message"}),
    "inbox:moderate_message": rule(post=TICKET_WORK),
    "inbox:message_personal_data": rule(get=TICKET_REVEAL, post=TICKET_REVEAL),
    "inbox:customer": rule(get=TICKET),
    "inbox:customer_edit": rule(get=TICKET_WORK, post=TICKET_WORK),
    "inbox:customer_reveal": rule(get=TICKET_REVEAL, post=TICKET_REVEAL),
    "inbox:customer_timeline": rule(get=TICKET),
    "inbox:customer_merge": rule(post=TICKET_WORK),
    "inbox:customer_merge_search": rule(get=TICKET),
    "inbox:customer_merge_confirm": rule(get=TICKET),
    "inbox:link": rule(post=TICKET_WORK),
    "notify:list": rule(get=SIGNED_IN),
    "notify:bell": rule(get=SIGNED_IN),
    "notify:read_all": rule(post=SIGNED_IN),
    "notify:open": rule(get="L O 4 4 4 4 4 L L"),  # kari's own notification
    "presence:set": rule(post=SIGNED_IN),
    "replies:list": rule(get=SIGNED_IN),
    "replies:new": rule(get=STAFF_LOOK, post=STAFF_LOOK),
    "replies:edit": rule(get=STAFF_LOOK_OBJ, post=STAFF_LOOK_OBJ),
    "replies:deactivate": rule(post=STAFF_LOOK_OBJ),
    "replies:for_ticket": rule(get=TICKET),
    # -- need-to-know: the reveal review ---------------------------------------------------------------------------
    "access:reveals": rule(get=REVIEW),
    "access:purposes": rule(get=STAFF_LOOK, post=ADMIN_ONLY),
    "access:purpose": rule(post=ADMIN_ONLY, params={"key": "purpose_key"}),
    # -- staff pages --------------------------------------------------------------------------------------------------
    "staff:agents": rule(get=STAFF_LOOK),
    "staff:agent_new": rule(get=ADMIN_ONLY, post=ADMIN_ONLY),
    "staff:agent": rule(get=ADMIN_ONLY_OBJ, post=ADMIN_ONLY_OBJ),
    "staff:agent_password": rule(post=ADMIN_ONLY_OBJ),
    "staff:teams": rule(get=STAFF_LOOK),
    "staff:team_new": rule(get=ADMIN_ONLY, post=ADMIN_ONLY),
    "staff:team": rule(get=ADMIN_ONLY_OBJ, post=ADMIN_ONLY_OBJ),
    "staff:channels": rule(get=STAFF_LOOK),
    "staff:channel_kinds": rule(get=ADMIN_ONLY),
    "staff:channel_connect": rule(get=ADMIN_ONLY, post=ADMIN_ONLY),
    "staff:channel": rule(get=ADMIN_ONLY_OBJ, post=ADMIN_ONLY_OBJ, params={"channel_id": "webchat_channel"}),
    "staff:channel_check": rule(post=ADMIN_ONLY_OBJ),
    "staff:channel_register": rule(post=ADMIN_ONLY_OBJ),
    "staff:channel_active": rule(post=ADMIN_ONLY_OBJ),
    "hours:list": rule(get=STAFF_LOOK),
    "hours:new": rule(get=ADMIN_ONLY, post=ADMIN_ONLY),
    "hours:edit": rule(get=ADMIN_ONLY_OBJ, post=ADMIN_ONLY_OBJ),
    "hours:delete": rule(post=ADMIN_ONLY_OBJ),
    "hours:special_add": rule(post=ADMIN_ONLY_OBJ),
    "hours:special_delete": rule(post=ADMIN_ONLY_OBJ),
    "hours:replies": rule(get=STAFF_LOOK),
    "hours:reply_new": rule(get=ADMIN_ONLY, post=ADMIN_ONLY),
    "hours:reply_edit": rule(get=ADMIN_ONLY_OBJ, post=ADMIN_ONLY_OBJ),
    "hours:reply_delete": rule(post=ADMIN_ONLY_OBJ),
    "sla:policies": rule(get=STAFF_LOOK),
    "sla:policy_new": rule(get=ADMIN_ONLY, post=ADMIN_ONLY),
    "sla:policy": rule(get=ADMIN_ONLY_OBJ, post=ADMIN_ONLY_OBJ),
    "sla:policy_move": rule(post=ADMIN_ONLY_OBJ),
    "sla:policy_delete": rule(post=ADMIN_ONLY_OBJ),
    "sla:team": rule(get=ADMIN_ONLY_OBJ, post=ADMIN_ONLY_OBJ),
    "sla:ack": rule(post=ADMIN_ONLY),
    "routing:rules": rule(get=STAFF_LOOK),
    "routing:rule_new": rule(get=ADMIN_ONLY, post=ADMIN_ONLY),
    "routing:test": rule(get=STAFF_LOOK, post=STAFF_LOOK),
    "routing:condition": rule(get=ADMIN_ONLY),
    "routing:rule": rule(get=ADMIN_ONLY_OBJ, post=ADMIN_ONLY_OBJ),
    "routing:move": rule(post=ADMIN_ONLY_OBJ),
    "routing:active": rule(post=ADMIN_ONLY_OBJ),
    "routing:delete": rule(post=ADMIN_ONLY_OBJ),
    "supervision:dashboard": rule(get=DASHBOARD_LOOK),
    "supervision:now": rule(get=DASHBOARD_LOOK),
    "supervision:overflow": rule(post=DASHBOARD_ACT),
    "supervision:overflow_end": rule(post=DASHBOARD_ACT),
    "insights:topics": rule(get=DASHBOARD_LOOK),          # also ?format=csv
    "insights:themes": rule(get=DASHBOARD_LOOK, post=DASHBOARD_ACT),
    "insights:theme_delete": rule(post=DASHBOARD_ACT),
    # -- incidents ----------------------------------------------------------------------------------------------------
    "incidents:list": rule(get=SIGNED_IN),
    "incidents:banner": rule(get=SIGNED_IN),
    "incidents:detail": rule(get="L O O O O O 4 L L"),      # every role of the brand looks; tickets within scope
    "incidents:reply_all": rule(post="L O O O O 3 4 L L"),  # agents (their scope), supervisors, admins
    "incidents:post": rule(post="L 3 3 O O 3 4 L L"),       # supervisors and admins
    "incidents:resolve": rule(post="L 3 3 O O 3 4 L L"),
    "incidents:dismiss": rule(post="L 3 3 O O 3 4 L L"),
    "incidents:rename": rule(post="L 3 3 O O 3 4 L L"),
    "api:list_incidents": rule(get=API_LIST),
    "api:get_incident": rule(get=API_OBJ),
    "api:search": rule(get=API_LIST),
    # -- knowledge ----------------------------------------------------------------------------------------------------
    "help:index": rule(get=PUBLIC, params={"org": "nowhere"}),
    "help:article": rule(get=PUBLIC, params={"org": "nowhere", "slug": "nowhere"}),
    "knowledge:articles": rule(get=SIGNED_IN),
    "knowledge:new": rule(get=STAFF_LOOK, post=STAFF_LOOK),
    "knowledge:preview": rule(post=STAFF_LOOK),
    "knowledge:edit": rule(get=STAFF_LOOK_OBJ, post=STAFF_LOOK_OBJ),
    "knowledge:publish": rule(post=STAFF_LOOK_OBJ),
    "knowledge:suggestions": rule(get=TICKET_WORK),
    # -- search -------------------------------------------------------------------------------------------------------
    "search:search": rule(get=SIGNED_IN),
    "search:save": rule(post=SIGNED_IN),
    # -- audit log, retention, data subject requests, account security (other parts of issue 7) -------------------
    "audit:log": rule(get=STAFF_LOOK),
    "audit:verify": rule(post=STAFF_LOOK),
    "retention:policies": rule(get=DASHBOARD_LOOK),
    "retention:policy_new": rule(get=ADMIN_ONLY, post=ADMIN_ONLY),
    "retention:policy": rule(get=ADMIN_ONLY_OBJ, post=ADMIN_ONLY_OBJ, params={"policy_id": "retention_policy"}),
    "retention:policy_delete": rule(post=ADMIN_ONLY_OBJ, params={"policy_id": "retention_policy"}),
    "retention:dry_run": rule(get=DASHBOARD_LOOK),
    "gdpr:home": rule(get=DASHBOARD_ACT, post=DASHBOARD_ACT),  # find a person: supervisors and admins
    "gdpr:export": rule(post=DASHBOARD_ACT),
    "gdpr:erase": rule(post=ADMIN_ONLY),
    "gdpr:request": rule(get="L 3 3 O O 3 4 L L", params={"request_id": "subject_request"}),
    "security:two_factor": rule(get=SIGNED_IN, post=SIGNED_IN),
    "security:two_factor_confirm": rule(post=SIGNED_IN),
    "security:two_factor_disable": rule(post=SIGNED_IN),
    "security:two_factor_recovery_codes": rule(post=SIGNED_IN),
    "security:sign_in_code": rule(get=DJANGO_ADMIN, post=DJANGO_ADMIN),  # without a first step: back to sign in
    "security:locks": rule(get=ADMIN_ONLY, post=ADMIN_ONLY),
    "security:unlock": rule(post=ADMIN_ONLY_OBJ, params={"user_id": "per_user"}),
    # -- public endpoints: platforms, the web chat, stored files ----------------------------------------------------
    "channels:webhook": rule(get=PUBLIC, post=PUBLIC),
    "channels:attachment": rule(get="L O O O O O 4 L L"),
    "webchat:widget": rule(get=PUBLIC),
    "webchat:preview": rule(get=PUBLIC),
    "webchat:config": rule(get=PUBLIC),
    "webchat:session": rule(post=PUBLIC),
    "webchat:messages": rule(get=PUBLIC, post=PUBLIC),
    "webchat:suggest": rule(get=PUBLIC),
    # -- the REST API -------------------------------------------------------------------------------------------------
    "admin:logout": rule(get=PUBLIC),  # signing out of nothing is harmless; the rest of the admin: NAMESPACE_RULES
    "api:openapi-json": rule(get=API_PUBLIC),
    "api:openapi-view": rule(get=API_PUBLIC),
    "api:api-root": rule(get="4 4 4 4 4 4 4 4 4"),
    "api:post_inbound": rule(post=API_LIST),
    "api:list_tickets": rule(get=API_LIST),
    "api:get_ticket": rule(get=API_OBJ),
    "api:patch_ticket": rule(patch=API_OBJ),
    "api:post_reply": rule(post=API_OBJ, body={"text": "Hei"}),
    "api:post_no_reply_needed": rule(post=API_OBJ),
    "api:post_note": rule(post=API_OBJ, body={"text": "Notat"}),
    "api:post_link": rule(post=API_OBJ, body={"ticket": "{other_ticket}"}),
    "api:list_conversations": rule(get=API_LIST),
    "api:get_conversation": rule(get=API_OBJ),
    "api:list_conversation_messages": rule(get=API_OBJ),
    "api:list_messages": rule(get=API_LIST),
    "api:retry_message": rule(post=API_OBJ),
    "api:moderate_message": rule(post=API_OBJ, body={"action": "like"}),
    "api:list_customers": rule(get=API_LIST),
    "api:get_customer": rule(get=API_OBJ),
    "api:patch_customer": rule(patch=API_OBJ),
    "api:merge_customer": rule(post=API_OBJ, body={"other": "{other_customer}"}),
    "api:split_customer": rule(post=API_OBJ, body={"identities": "[{identity}]"}),
    "api:list_events": rule(get=API_LIST),
    "api:get_event": rule(get=API_OBJ),
    "api:retry_event": rule(post=API_OBJ),
    "api:protect_ticket": rule(post=API_OBJ),
}

#: Whole namespaces with one rule (the Django admin: 100+ routes, none open to the personas).
NAMESPACE_RULES: dict[str, Rule] = {
    "admin": rule(get=DJANGO_ADMIN),
}

#: The default world object for each URL parameter (see ``World`` in the test module).
PARAMS: dict[str, str] = {
    "ticket_id": "ticket", "message_id": "inbound_message", "customer_id": "customer", "other_id": "other_customer",
    "conversation_id": "conversation", "channel_id": "channel", "event_id": "event", "saved_id": "saved_search",
    "notification_id": "notification", "canned_id": "canned", "hours_id": "hours", "special_id": "special_day",
    "template_id": "reply_template", "policy_id": "policy", "team_id": "team", "rule_id": "routing_rule",
    "agent_id": "other_agent_row", "kind": "channel_kind", "key": "webchat_key", "organisation_id": "organisation",
    "digest": "attachment_digest", "name": "attachment_name", "incident_id": "incident", "article_id": "article",
    # the Django admin's own parameters
    "app_label": "admin_app_label", "object_id": "admin_object_id", "content_type_id": "admin_object_id",
    "url": "admin_object_id", "id": "admin_object_id",
}
