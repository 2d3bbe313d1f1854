"""A year of history in bulk: volunteers, citizens, requests with their events, offers and messages.

Rows are made by INSERT ... SELECT over generate_series inside PostgreSQL,
so 100,000 requests take seconds. The mix of statuses follows a hotline whose
requests mostly ended: 2 % accepted (open tasks), 1 % escalated, 3 %
cancelled, the rest done. Each request has three events, three offers and
five messages (the citizen's SMS, the confirmation and three offers). Each
open task also has its reminder and the coordinator's overdue alert.
"""

from sqlalchemy import text

COORDINATOR_PHONE = "+38344999999"
SEED_STATEMENTS = (
    # Volunteers speak two or three languages and have one or both skills; every tenth is paused.
    """
    INSERT INTO volunteers (area_id, name, phone, languages, skills, locale, active, paused, created_at)
    SELECT :area, 'Seeded volunteer ' || g, '+38346' || lpad(g::text, 6, '0'),
           (ARRAY['sr,sq,en', 'sr,en', 'sq,en', 'sr,sq'])[1 + g % 4],
           (ARRAY['documents,delivery', 'delivery', 'documents'])[1 + g % 3],
           (ARRAY['sr_Latn', 'sr_Latn', 'sq', 'sr_Latn'])[1 + g % 4],
           true, g % 10 = 0, now() - interval '400 days'
    FROM generate_series(1, :volunteers) AS g
    """,
    """
    INSERT INTO citizens (area_id, phone, locale, locale_chosen, opted_out, created_at)
    SELECT :area, '+38343' || lpad(g::text, 6, '0'), (ARRAY['sr_Latn', 'sq', 'en', 'sr_Cyrl'])[1 + g % 4],
           false, false, now() - interval '400 days'
    FROM generate_series(1, :citizens) AS g
    """,
    # One request every five minutes over the last year or so, newest last.
    """
    INSERT INTO help_requests (area_id, number, kind, document_type, details, status, channel, citizen_id,
                               volunteer_id, offer_wave, created_at, offered_at, accepted_at, done_at, escalated_at,
                               cancelled_at, updated_at)
    SELECT :area, g, CASE WHEN g % 3 = 0 THEN 'document' ELSE 'delivery' END,
           CASE WHEN g % 3 = 0 THEN 'birth_certificate' END, 'mleko i hleb ' || g, status,
           'sms', :first_citizen + g % :citizens,
           CASE WHEN status IN ('accepted', 'done') THEN :first_volunteer + (g * 3) % :volunteers END,
           1, at, at + interval '1 minute',
           CASE WHEN status IN ('accepted', 'done') THEN at + interval '5 minutes' END,
           CASE WHEN status = 'done' THEN at + interval '1 day' END,
           CASE WHEN status = 'escalated' THEN at + interval '30 minutes' END,
           CASE WHEN status = 'cancelled' THEN at + interval '2 hours' END,
           at + interval '1 day'
    FROM generate_series(1, :requests) AS g,
         LATERAL (SELECT now() - ((:requests - g) * interval '5 minutes') - interval '1 hour' AS at,
                         CASE WHEN g % 50 = 0 THEN 'accepted' WHEN g % 97 = 0 THEN 'escalated'
                              WHEN g % 31 = 0 THEN 'cancelled' ELSE 'done' END AS status) AS chosen
    """,
    # A deployment with history has an on-duty coordinator, who got the overdue alerts of the open tasks.
    "UPDATE service_areas SET last_request_number = :requests, coordinator_phone = :coordinator WHERE id = :area",
    """
    INSERT INTO request_events (request_id, at, from_status, to_status, actor, note)
    SELECT id, created_at, NULL, 'new', 'citizen:' || citizen_id, NULL FROM help_requests
    UNION ALL
    SELECT id, offered_at, 'new', 'offered', 'system', 'wave 1: 3 volunteers' FROM help_requests
    UNION ALL
    SELECT id, updated_at, 'offered', status, 'system', NULL FROM help_requests
    """,
    """
    INSERT INTO offers (request_id, volunteer_id, wave, status, sent_at, answered_at)
    SELECT r.id, :first_volunteer + (r.number * 3 + k) % :volunteers, 1,
           CASE WHEN r.status NOT IN ('accepted', 'done') THEN 'expired' WHEN k = 0 THEN 'accepted' ELSE 'taken' END,
           r.offered_at, coalesce(r.accepted_at, r.offered_at + interval '10 minutes')
    FROM help_requests r, generate_series(0, 2) AS k
    """,
    """
    INSERT INTO messages (area_id, direction, provider_sid, from_number, to_number, body, status, kind, request_id,
                          citizen_id, attempts, created_at, updated_at)
    SELECT r.area_id, 'in', 'SMseedin' || r.id, c.phone, :hotline, r.details, 'handled', 'inbound', r.id, c.id,
           0, r.created_at, r.created_at
    FROM help_requests r JOIN citizens c ON c.id = r.citizen_id
    """,
    """
    INSERT INTO messages (area_id, direction, provider_sid, from_number, to_number, body, status, kind, request_id,
                          citizen_id, encoding, segments, attempts, created_at, updated_at, sent_at)
    SELECT r.area_id, 'out', 'SMseedrc' || r.id, :hotline, c.phone, 'Primili smo Vaš zahtev ' || r.number,
           'delivered', 'received', r.id, c.id, 'UCS-2', 1, 1, r.created_at, r.created_at, r.created_at
    FROM help_requests r JOIN citizens c ON c.id = r.citizen_id
    """,
    """
    INSERT INTO messages (area_id, direction, provider_sid, from_number, to_number, body, status, kind, request_id,
                          volunteer_id, encoding, segments, attempts, created_at, updated_at, sent_at)
    SELECT r.area_id, 'out', 'SMseedof' || o.id, :hotline, v.phone, 'Novi zadatak ' || r.number, 'delivered',
           'offer', r.id, v.id, 'GSM-7', 1, 1, o.sent_at, o.sent_at, o.sent_at
    FROM offers o JOIN help_requests r ON r.id = o.request_id JOIN volunteers v ON v.id = o.volunteer_id
    """,
    # The reminders and overdue alerts of the open tasks went out long ago, as the sweeper would have sent them.
    """
    INSERT INTO messages (area_id, direction, provider_sid, from_number, to_number, body, status, kind, request_id,
                          volunteer_id, encoding, segments, attempts, created_at, updated_at, sent_at)
    SELECT r.area_id, 'out', 'SMseed' || note.kind || r.id, :hotline,
           CASE WHEN note.kind = 'reminder' THEN v.phone ELSE :coordinator END, 'Podsetnik ' || r.number,
           'delivered', note.kind, r.id, CASE WHEN note.kind = 'reminder' THEN v.id END, 'GSM-7', 1, 1,
           r.updated_at, r.updated_at, r.updated_at
    FROM help_requests r JOIN volunteers v ON v.id = r.volunteer_id,
         unnest(ARRAY['reminder', 'overdue_alert']) AS note(kind)
    WHERE r.status = 'accepted'
    """,
)
ANALYZED_TABLES = ("volunteers", "citizens", "help_requests", "request_events", "offers", "messages", "service_areas")


def seed_history(engine, area_id: int, hotline_number: str, requests: int, volunteers: int, citizens: int,
                 progress=None) -> dict:
    """Insert the history into an area that has no requests yet; return the row counts of the grown tables."""
    parameters = {"area": area_id, "hotline": hotline_number, "requests": requests, "volunteers": volunteers,
                  "citizens": citizens, "coordinator": COORDINATOR_PHONE}
    with engine.begin() as connection:
        for index, statement in enumerate(SEED_STATEMENTS):
            if "first_citizen" in statement or "first_volunteer" in statement:
                parameters["first_citizen"] = connection.execute(text(
                    "SELECT min(id) FROM citizens WHERE phone LIKE '+38343%'")).scalar_one()
                parameters["first_volunteer"] = connection.execute(text(
                    "SELECT min(id) FROM volunteers WHERE phone LIKE '+38346%'")).scalar_one()
            connection.execute(text(statement), parameters)
            if progress is not None:
                progress.update(index + 1)
    # Autovacuum would do this in a running deployment; the planner needs the statistics now.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE) " + ", ".join(ANALYZED_TABLES)))
    with engine.connect() as connection:
        return {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ANALYZED_TABLES}
