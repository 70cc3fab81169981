#!/usr/bin/env python3
"""Writes a Salesforce Data Export (User.csv, Account.csv, Contact.csv, Opportunity.csv,
OpportunityHistory.csv, Task.csv, Event.csv) holding the data of a Quotient bundle, for the CRM
import benchmark: every field quoted, 18-character ids, API field names.

    benches/bundle_to_salesforce.py BUNDLE_DIR EXPORT_DIR
"""
import csv
import os
import sys

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Ids:
    """Bundle ids → 18-character Salesforce ids with the object's key prefix."""

    def __init__(self, prefix):
        self.prefix, self.known, self.count = prefix, {}, 0

    def __call__(self, bundle_id):
        if not bundle_id:
            return ""
        found = self.known.get(bundle_id)
        if found is None:
            found = self.fresh()
            self.known[bundle_id] = found
        return found

    def fresh(self):
        """A new id for a record nothing refers to (history rows, tasks, events): not kept, so
        that millions of them take no memory."""
        self.count += 1
        return self.make(self.count)

    def make(self, number):
        digits = ""
        for _ in range(10):
            digits = ALNUM[number % 62] + digits
            number //= 62
        return self.prefix + "5g" + digits + "AAA"


STAGES = {
    "prospect": "Prospecting",
    "qualified": "Qualification",
    "first_appointment": "Needs Analysis",
    "proposal": "Proposal/Price Quote",
    "negotiation": "Negotiation/Review",
    "won": "Closed Won",
    "lost": "Closed Lost",
}
GATEWAYS = {
    "demo": "Demo",
    "site_visit": "Site Visit",
    "trial": "Trial",
    "tour": "Tour",
    "investigation": "Investigation",
    "evaluation": "Evaluation",
}


def rows(bundle, name):
    path = os.path.join(bundle, name)
    if not os.path.exists(path):
        return
    with open(path, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def writer(export, name, header):
    handle = open(os.path.join(export, name), "w", newline="", encoding="utf-8")
    out = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    out.writerow(header)
    return handle, out


def when(timestamp):
    """2024-03-01T09:30:00Z → 2024-03-01T09:30:00.000Z, as the export writes it."""
    return timestamp[:-1] + ".000Z" if timestamp.endswith("Z") else timestamp


def main(bundle, export):
    os.makedirs(export, exist_ok=True)
    users, accounts, contacts, opportunities = Ids("005"), Ids("001"), Ids("003"), Ids("006")
    history, tasks, events = Ids("008"), Ids("00T"), Ids("00U")
    handle, out = writer(export, "User.csv", ["Id", "Name", "Email", "ManagerId", "UserType", "IsActive", "CreatedDate"])
    for rep in rows(bundle, "reps.csv"):
        hired = (rep.get("hired_on") or "2020-01-01") + "T00:00:00.000Z"
        manager = users(rep["manager_id"]) if rep.get("manager_id") else "000000000000000AAA"
        out.writerow([users(rep["rep_id"]), rep["name"], rep["email"], manager, "Standard", "1", hired])
    handle.close()
    handle, out = writer(export, "Account.csv", ["Id", "Name", "Industry", "OwnerId", "NumberOfEmployees", "AnnualRevenue", "BillingCity", "BillingCountry", "IsDeleted"])
    for account in rows(bundle, "accounts.csv"):
        out.writerow([accounts(account["account_id"]), account["name"], account.get("industry", ""), users(account.get("owner_id", "")), account.get("employees", ""), account.get("annual_revenue", ""), account.get("city", ""), account.get("country", ""), "0"])
    handle.close()
    handle, out = writer(export, "Contact.csv", ["Id", "AccountId", "FirstName", "LastName", "Title", "Email", "Phone", "IsDeleted"])
    for contact in rows(bundle, "contacts.csv"):
        out.writerow([contacts(contact["contact_id"]), accounts(contact["account_id"]), contact.get("first_name", ""), contact["last_name"], contact.get("title", ""), contact.get("email", ""), contact.get("phone", ""), "0"])
    handle.close()
    gateway_of = {}
    handle, out = writer(export, "Opportunity.csv", ["Id", "AccountId", "OwnerId", "Name", "StageName", "Amount", "CloseDate", "IsClosed", "IsWon", "CreatedDate", "IsDeleted"])
    for opportunity in rows(bundle, "opportunities.csv"):
        status = opportunity["status"]
        gateway = GATEWAYS.get(opportunity.get("gateway_type", ""), "Demo")
        gateway_of[opportunity["opportunity_id"]] = gateway
        stage = opportunity.get("stage") or ("won" if status == "won" else "lost" if status == "lost" else "prospect")
        name = gateway if stage == "gateway" else STAGES.get(stage, "Prospecting")
        close = (opportunity.get("closed_at") or "")[:10] or opportunity.get("expected_close_on", "")
        out.writerow([opportunities(opportunity["opportunity_id"]), accounts(opportunity.get("account_id", "")), users(opportunity["owner_id"]), opportunity.get("name", ""), name, opportunity["amount"], close, "0" if status == "open" else "1", "1" if status == "won" else "0", when(opportunity["created_at"]), "0"])
    handle.close()
    handle, out = writer(export, "OpportunityHistory.csv", ["Id", "OpportunityId", "StageName", "CreatedDate", "IsDeleted"])
    for change in rows(bundle, "stage_changes.csv"):
        stage = change["stage"]
        name = gateway_of.get(change["opportunity_id"], "Demo") if stage == "gateway" else STAGES.get(stage, "Prospecting")
        out.writerow([history.fresh(), opportunities(change["opportunity_id"]), name, when(change["changed_at"]), "0"])
    handle.close()
    task_handle, task_out = writer(export, "Task.csv", ["Id", "OwnerId", "WhatId", "WhoId", "AccountId", "Subject", "TaskSubtype", "Type", "CallType", "Status", "IsClosed", "ActivityDate", "CompletedDateTime", "IsDeleted"])
    event_handle, event_out = writer(export, "Event.csv", ["Id", "OwnerId", "WhatId", "WhoId", "AccountId", "Subject", "Type", "StartDateTime", "IsDeleted"])
    for activity in rows(bundle, "activities.csv"):
        kind, at = activity["type"], when(activity["occurred_at"])
        what = opportunities(activity.get("opportunity_id", ""))
        who, account = contacts(activity.get("contact_id", "")), accounts(activity.get("account_id", ""))
        if kind in ("cold_call", "call_back", "email"):
            subtype = "Email" if kind == "email" else "Call"
            subject = {"cold_call": "Call", "call_back": "Call back", "email": "Email"}[kind]
            call_type = "Inbound" if kind == "call_back" else "Outbound" if kind == "cold_call" else ""
            task_out.writerow([tasks.fresh(), users(activity["rep_id"]), what, who, account, subject, subtype, subtype, call_type, "Completed", "1", at[:10], at, "0"])
        else:
            subject = {"demo": "Demo", "field_visit": "Site visit", "meeting": "Meeting", "appointment": "Appointment", "event": "Trade show"}.get(kind, "Meeting")
            event_out.writerow([events.fresh(), users(activity["rep_id"]), what, who, account, subject, "Meeting", at, "0"])
    task_handle.close()
    event_handle.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
