"""The support desk: contacts and their channel identities, cases with conversations and
messages, statuses, SLA clocks on business calendars, and the append-only case history.

Layout:

    models.py        contacts, identities, cases, conversations, messages (dataclasses)
    statuses.py      the fixed status categories, their transitions and custom labels
    access.py        the one door: access_case_for / access_conversation_for
    history.py       the typed case events, one writer per kind
    events.py        the after-commit publisher (in-process by default, replaceable)
    contacts.py      contacts and encrypted channel identities
    attachments.py   size and type checks (magic bytes), sealing the content
    calendar.py      business-hours arithmetic; holidays.py loads the public-holiday data
    sla.py           policies and per-case targets; sla_clock.py drives them and check_sla()
    conversations.py starting chats, customer messages, hand-off from the bot
    casework.py      what agents do: reply, status, assignment, priority
    routing*.py      queues, offers to agents by skill/load/round robin, re-offers (agents.py:
                     status, skills, capacity; history_routing.py: routing's events)
    views.py         read models for customers and staff
"""
