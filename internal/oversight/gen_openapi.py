# Writes openapi.json: the oversight capability's API paths. Kept beside it so the document
# and its generator change together; run `python3 gen_openapi.py` after editing.
import json

P = {"$ref": "#/components/responses/Problem"}
def errs(*codes):
    return {str(c): P for c in codes}
def obj(ref):
    return {"application/json": {"schema": {"$ref": "#/components/schemas/" + ref}}}
def op(summary, ok, ref, body=None, params=None, codes=(400, 401, 403, 404), ctype=None):
    o = {"summary": summary, "tags": ["oversight"], "responses": {str(ok): {"description": summary, "content": ctype or obj(ref)}}}
    o["responses"].update(errs(*codes))
    if body:
        o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        o["parameters"] = params
    return o
def q(name, desc, typ="string"):
    return {"name": name, "in": "query", "required": False, "schema": {"type": typ}, "description": desc}
idp = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
S = lambda t="string": {"type": t}

paths = {
 "/api/v1/filings/regulator": {
  "get": op("The operator's protection-work department and the regulators it may name", 200, "RegulatorChoice"),
  "put": op("Name the operator's protection-work department", 200, "RegulatorChoice", body={"type": "object", "properties": {"regulator_id": S("integer")}}),
 },
 "/api/v1/filings": {
  "get": op("The operator's submissions with the regulator's answers, newest first", 200, "SubmissionList", params=[q("ref", "only those filed with this reference of the filing capability")]),
  "post": op("File a submission with the protection-work department (immutable once filed)", 201, "Submission", codes=(400, 401, 403, 404, 409, 413), body={"type": "object", "properties": {
     "kind": {"type": "string", "enum": ["annual_report", "change_report", "incident_report", "offshore_maintenance_report", "review_case", "standard_contract_filing"]},
     "title_zh": S(), "title_en": S(), "payload": {"type": "object", "description": "any JSON object; an incident report carries detected_at (RFC 3339)"},
     "ref": S(), "attachment": {"type": "string", "format": "byte"}, "attachment_name": S(), "evidence_sha256": S(),
     "signature": {"type": "string", "format": "byte", "description": "detached Ed25519 signature over the payload bytes"},
     "public_key": {"type": "string", "format": "byte"}, "key_fingerprint": S()}}),
 },
 "/api/v1/filings/{id}": {"get": op("One of the operator's submissions with its answers", 200, "Submission", params=idp)},
 "/api/v1/oversight/inbox": {"get": op("The regulator's inbox, newest first, with answers and the incident clock; beside the submissions, the reports filed outside ciiguard and imported from signed bundles that the filter takes in (none under a state or grade filter: they take no answer)", 200, "Inbox",
   params=[q("kind", "submission kind"), q("state", "submitted, acknowledged, escalated, info_requested or accepted"), q("operator", "operator organisation id", "integer"),
      q("grade", "an incident report's grade as filed: especially_major, major, relatively_major, general, or unstated"), q("month", "the Beijing month of filing, YYYY-MM"),
      q("sector", "the registry's sector of the operator, or none")])},
 "/api/v1/oversight/inbox/{id}": {"get": op("One submission of the regulator's inbox", 200, "Item", params=idp)},
 "/api/v1/oversight/inbox/{id}/answers": {"post": op("Answer a submission: acknowledged, escalated (a major or especially major incident report reported on to the national CAC and the MPS, once; 400 on action for any other submission, 409 when escalated already), info_requested or accepted, with a note (audited on both sides)", 201, "Item", params=idp, codes=(400, 401, 403, 404, 409),
   body={"type": "object", "properties": {"action": {"type": "string", "enum": ["acknowledged", "escalated", "info_requested", "accepted"]}, "note": S()}})},
 "/api/v1/oversight/inbox/{id}/attachment": {"get": op("The file filed with a submission", 200, None, params=idp, ctype={"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})},
  "/api/v1/oversight/cases": {
  "get": op("The regulator's penalty cases, newest first", 200, "CaseList"),
  "post": op("Open a penalty case citing a catalog penalty clause; an amount outside the tier's range is refused unless outside_basis gives the legal basis", 201, "Case",
    body={"type": "object", "properties": {"operator_id": S("integer"), "penalty_id": S(), "subject": {"type": "string", "enum": ["organisation", "person"]}, "tier": S(),
      "base_amount": S("integer"), "amount": S("integer"), "outside_basis": S(), "decision": S(), "published": S("boolean")}}),
 },
 "/api/v1/oversight/cases/{id}": {"get": op("One of the regulator's penalty cases", 200, "Case", params=idp)},
 "/api/v1/oversight/cases/{id}/decision": {"put": op("Record a case's decision and whether it is published (audited); the amount and its range stay as opened", 200, "Case", params=idp,
    body={"type": "object", "required": ["decision"], "properties": {"decision": S(), "published": S("boolean")}})},
 "/api/v1/filings/notices": {"get": op("The identification notices the operator received, newest first, with what each did to its inventory", 200, "ReceivedNoticeList")},
 "/api/v1/oversight/registry": {
  "get": op("The regulator's registry of operators, by name, with the notices' dates, the re-identification clock and the counts by sector and province", 200, "Registry",
    params=[q("q", "part of a name or credit code (at most 100 characters)"), q("sector", "a sector code, or none"), q("province", "a GB/T 2260 province code such as 11, or none"), q("identified", "yes or no"), q("annual", "the annual report clock: due or overdue")]),
  "post": op("Add an operator to the registry by unified social credit code", 201, "RegistryEntry", codes=(400, 401, 403, 404, 409),
    body={"type": "object", "required": ["uscc", "sector"], "properties": {"uscc": S(), "name_zh": S(), "name_en": S(), "sector": S(), "province": S()}}),
 },
 "/api/v1/oversight/registry/export": {"get": op("The registry, filtered as the list, as CSV (UTF-8 with a byte-order mark) or XLSX", 200, None,
    params=[q("format", "csv (default) or xlsx"), q("q", "as the list"), q("sector", "as the list"), q("province", "as the list"), q("identified", "as the list"), q("annual", "as the list")],
    ctype={"text/csv": {"schema": {"type": "string"}}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}})},
 "/api/v1/oversight/registry/{id}": {
  "get": op("One registry entry with the regulator's identification notices", 200, "RegistryEntryWithNotices", params=idp),
  "put": op("Change the regulator's record of an entry's sector and province", 200, "RegistryEntry", params=idp,
    body={"type": "object", "properties": {"sector": S(), "province": S()}}),
 },
 "/api/v1/oversight/dashboard": {"get": op("The regulator's dashboard, from its registry and what was filed with it only: registry counts with the annual report clocks, sector posture, incident reports by grade and Beijing month (the last 6), the inspection pipeline", 200, "Dashboard", codes=(401, 403))},
 "/api/v1/oversight/settings/annual": {
  "get": op("The department's requirement of when the yearly security test and risk assessment report falls due (CIIR 2021 Art. 17 sets no date): annual_day empty for the anniversary of identification, or MM-DD", 200, "AnnualSetting", codes=(401, 403)),
  "put": op("Set the department's requirement (audited): annual_day empty for the anniversary of identification, or a day of the year MM-DD", 200, "AnnualSetting",
    body={"type": "object", "properties": {"annual_day": S()}}, codes=(400, 401, 403)),
 },
 "/api/v1/oversight/registry/{id}/notices": {"post": op("Record and send an identification notice (CIIR 2021 Arts 9-10), or a de-identification notice after a re-identification (Art. 11) naming systems the department's notices hold identified (400 on systems otherwise, on issued_on when dated before their identification); an operator of this installation receives a copy applied to its inventory", 201, "Notice", params=idp,
    body={"type": "object", "required": ["ref", "issued_on", "basis", "systems"], "properties": {"kind": {"type": "string", "enum": ["identification", "deidentification"], "default": "identification"}, "ref": S(), "issued_on": {"type": "string", "format": "date"}, "basis": S(),
      "systems": {"type": "array", "items": S(), "maxItems": 50}}})},
 "/api/v1/oversight/registry/{id}/imports": {
  "get": op("The signed report bundles imported on this registry entry (reports filed outside ciiguard), newest first", 200, "ImportList", params=idp),
  "post": op("Import a signed report bundle (ciiguard-report-bundle/1) an operator exported from its installation: recorded when its signature, key fingerprint (pinned with ?key=) and files verify and its unified social credit code is the entry's; audited", 201, "Import", params=idp + [q("key", "the key fingerprint the operator published: only a bundle signed with that key is accepted")],
    body={"type": "object", "description": "the bundle file exactly as exported (ciiguard-report-bundle/1)", "required": ["format", "content", "pdf", "public_key", "key_fingerprint", "signature"]},
    codes=(400, 401, 403, 404, 409, 413)),
 },
 "/api/v1/oversight/imports/{id}": {"get": op("One imported report with the department's answers (state: submitted until answered)", 200, "Import", params=idp)},
 "/api/v1/oversight/imports/{id}/answers": {"post": op("Answer an imported report: acknowledged, info_requested or accepted (a note needed for the last two); 409 once accepted; audited in the department's trail", 201, "Import", params=idp, codes=(400, 401, 403, 404, 409),
    body={"type": "object", "required": ["action"], "properties": {"action": {"type": "string", "enum": ["acknowledged", "info_requested", "accepted"]}, "note": {"type": "string", "maxLength": 2000}}})},
 "/api/v1/oversight/imports/{id}/receipt": {"post": op("The signed receipt (ciiguard-report-receipt/1) of an imported report: its answers so far, signed with the installation's Ed25519 key, for the operator to import on its report in its own installation (POST /api/v1/reports/{id}/receipts there); audited", 200, "Receipt", params=idp,
    ctype={"application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}})},
 "/api/v1/oversight/inspections": {
  "get": op("The regulator's inspections (CIIR 2021 Arts 26-28), newest first, and the areas an inspection may name", 200, "InspectionList",
    params=[q("state", "open (in its time box) or ended"), q("actions", "findings (with a finding) or orders_open (with an order to correct no response followed)")]),
  "post": op("Open an inspection of an operator of the registry on this installation: legal basis, scope (areas, systems by name, period) and time box; the operator receives it (audited on both sides)", 201, "Inspection",
    body={"type": "object", "required": ["entry_id", "ref", "areas", "period_from", "period_to", "ends_at"], "properties": {"entry_id": S("integer"), "ref": S(),
      "basis": {"type": "string", "description": "default: CIIR 2021 Arts 26-28, in Chinese and English"}, "areas": {"type": "array", "items": S(), "description": "systems, evidence, logs"},
      "systems": {"type": "array", "items": S(), "maxItems": 50}, "period_from": {"type": "string", "format": "date"}, "period_to": {"type": "string", "format": "date"},
      "ends_at": {"type": "string", "description": "RFC 3339, or a date meaning the end of that Beijing day; at most 366 days ahead"}}}),
 },
 "/api/v1/oversight/inspections/{id}": {"get": op("One of the regulator's inspections with every read and every finding, order, refusal, obstruction and response", 200, "Inspection", params=idp)},
 "/api/v1/oversight/inspections/{id}/records/{area}": {"get": op("Read the operator's records of an area in scope (recorded in both audit trails); 404 after the time box", 200, "InspectionRecords",
    params=idp + [{"name": "area", "in": "path", "required": True, "schema": {"type": "string"}}])},
 "/api/v1/oversight/inspections/{id}/records/{area}/{rid}": {"get": op("Read one record in scope (recorded in both audit trails); 404 outside the scope or after the time box", 200, "InspectionRecord",
    params=idp + [{"name": "area", "in": "path", "required": True, "schema": {"type": "string"}}, {"name": "rid", "in": "path", "required": True, "schema": {"type": "string"}}])},
 "/api/v1/oversight/inspections/{id}/logs": {"get": op("Read a range of the operator's log vault inside the period, newest first, at most 200 events (recorded in both audit trails); 404 after the time box", 200, "InspectionLogs",
    params=idp + [q("from", "RFC 3339, or Beijing time 2026-12-01T08:00"), q("to", "as from; after it"), q("q", "log query (at most 500 characters)")])},
 "/api/v1/oversight/inspections/{id}/bundle": {"get": op("Reproduce: the signed bundle (ciiguard-inspection-bundle/1, NDJSON) of the records in scope, their evidence files and the log ranges read with vault proofs; verify with ciiguard bundle verify. Recorded in both trails; 404 after the time box", 200, None, params=idp,
    ctype={"application/x-ndjson": {"schema": {"type": "string"}}})},
 "/api/v1/oversight/inspections/{id}/actions": {"post": op("Record a finding, an order to correct (with due_on), or the operator's refusal or obstruction (CIIR 2021 Art. 42), audited on both sides", 201, "InspectionAction", params=idp,
    body={"type": "object", "required": ["kind", "text"], "properties": {"kind": {"type": "string", "enum": ["finding", "order", "refusal", "obstruction"]}, "text": S(), "due_on": {"type": "string", "format": "date"}}})},
 "/api/v1/oversight/inspections/{id}/close": {"post": op("Close the open inspection now, with a reason (audited on both sides; reads and reproduction are 404 after it); 409 when its time box has ended", 200, "Inspection", params=idp,
    body={"type": "object", "required": ["reason"], "properties": {"reason": S()}})},
 "/api/v1/oversight/inspections/{id}/extend": {"post": op("Extend the open inspection's time box, with a reason (audited on both sides): ends_at after the present end, at most 366 days from now; 409 when its time box has ended", 200, "Inspection", params=idp,
    body={"type": "object", "required": ["ends_at", "reason"], "properties": {"ends_at": {"type": "string", "description": "RFC 3339, or a day (its end, Beijing)"}, "reason": S()}})},
 "/api/v1/oversight/cases/{id}/close": {"post": op("Close an open penalty case once its decision is carried out, with the reason and the legal basis (audited on both sides; the operator sees it); 409 when ended", 200, "Case", params=idp,
    body={"type": "object", "required": ["reason", "basis"], "properties": {"reason": S(), "basis": S()}})},
 "/api/v1/oversight/cases/{id}/withdraw": {"post": op("Withdraw an open penalty case, with the reason and the legal basis (audited on both sides; the operator sees it); 409 when ended", 200, "Case", params=idp,
    body={"type": "object", "required": ["reason", "basis"], "properties": {"reason": S(), "basis": S()}})},
 "/api/v1/filings/cases": {"get": op("The penalty cases of the departments against the operator, with their state, reason and basis", 200, None,
    ctype={"application/json": {"schema": {"type": "object", "properties": {"cases": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}}}}}})},
 "/api/v1/filings/inspections": {"get": op("The inspections of the operator, with their scope, reads and actions", 200, "InspectionList")},
 "/api/v1/filings/inspections/{id}": {"get": op("One inspection of the operator", 200, "Inspection", params=idp)},
 "/api/v1/filings/inspections/{id}/responses": {"post": op("The operator's response to an inspection (audited on both sides)", 201, "InspectionAction", params=idp,
    body={"type": "object", "required": ["text"], "properties": {"text": S()}})},
}
answer = {"type": "object", "properties": {"action": S(), "note": S(), "by": S(), "at": {"type": "string", "format": "date-time"}}}
sub = {"type": "object", "properties": {"id": S("integer"), "regulator_id": S("integer"), "regulator_name_zh": S(), "regulator_name_en": S(), "kind": S(),
  "title_zh": S(), "title_en": S(), "ref": S(), "payload_sha256": S(), "attachment_name": S(), "attachment_sha256": S(), "signed": S("boolean"),
  "key_fingerprint": S(), "submitted_at": {"type": "string", "format": "date-time"}, "submitted_by": S(), "state": S(),
  "answers": {"type": "array", "items": {"$ref": "#/components/schemas/SubmissionAnswer"}}}}
item = {"allOf": [{"$ref": "#/components/schemas/Submission"}, {"type": "object", "properties": {"operator_id": S("integer"), "operator_name_zh": S(), "operator_name_en": S(),
  "payload": S(), "attachment_size": S("integer"), "attachment_cited": S("boolean"), "signature": S(), "public_key": S(),
  "detected_at": {"type": "string", "format": "date-time"}, "clock": {"type": "string", "enum": ["on_time", "late"]},
  "escalation": {"type": "object", "description": "a major or especially major incident report: the department's 30-minute clock to report it on to the national CAC and the MPS, from the filing",
   "properties": {"grade": {"type": "string", "enum": ["major", "especially_major"]}, "due": {"type": "string", "format": "date-time"},
    "escalated_at": {"type": "string", "format": "date-time"}, "verdict": {"type": "string", "enum": ["pending", "on_time", "late", "missing"]}}}}}]}
reg = {"type": "object", "properties": {"id": S("integer"), "name_zh": S(), "name_en": S()}}
case = {"type": "object", "properties": {"id": S("integer"), "operator_id": S("integer"), "penalty_id": S(), "subject": S(), "tier": S(), "base_amount": S("integer"),
  "amount": S("integer"), "range_min": S("integer"), "range_max": S("integer"), "outside_basis": S(), "decision": S(), "published": S("boolean"), "created_by": S(),
  "state": {"type": "string", "enum": ["open", "closed", "withdrawn"]}, "end_reason": S(), "end_basis": S(), "ended_by": S(), "ended_at": {"type": "string", "format": "date-time"},
  "regulator_name_zh": {"type": "string", "description": "on the operator's side"}, "regulator_name_en": S()}}
entry = {"type": "object", "properties": {"id": S("integer"), "operator_id": S("integer"), "uscc": S(), "name_zh": S(), "name_en": S(), "sector": S(), "province": S(),
  "linked": S("boolean"), "added": S("boolean"), "created_at": {"type": "string", "format": "date-time"}, "identified": S("boolean"), "identified_systems": {"type": "array", "items": S()}, "notices": S("integer"),
  "identified_on": {"type": "string", "format": "date"}, "last_notice_on": {"type": "string", "format": "date"}, "last_notice_ref": S(),
  "change_reported_on": {"type": "string", "format": "date"}, "reidentify_by": {"type": "string", "format": "date"}, "reidentify": {"type": "string", "enum": ["due", "overdue"]},
  "annual_last_on": {"type": "string", "format": "date"}, "annual_due_on": {"type": "string", "format": "date"}, "annual": {"type": "string", "enum": ["due", "overdue", "outside"]}}}
notice = {"type": "object", "properties": {"id": S("integer"), "entry_id": S("integer"), "operator_id": S("integer"), "kind": {"type": "string", "enum": ["identification", "deidentification"]}, "ref": S(), "issued_on": {"type": "string", "format": "date"},
  "basis": S(), "systems": {"type": "array", "items": S()}, "delivered": S("boolean"), "created_by": S(), "sent_at": {"type": "string", "format": "date-time"}}}
named = {"type": "object", "properties": {"code": S(), "name_zh": S(), "name_en": S(), "count": S("integer")}}
received = {"type": "object", "properties": {"id": S("integer"), "regulator_id": S("integer"), "regulator_name_zh": S(), "regulator_name_en": S(), "kind": {"type": "string", "enum": ["identification", "deidentification"]}, "ref": S(),
  "issued_on": {"type": "string", "format": "date"}, "basis": S(), "systems": {"type": "array", "items": S()},
  "applied": {"type": "array", "items": {"type": "object", "properties": {"name": S(), "system_id": S("integer"), "result": {"type": "string", "enum": ["identified", "re_identified", "de_identified", "unchanged", "no_system"]}}}},
  "received_at": {"type": "string", "format": "date-time"}}}
counts = {"type": "object", "properties": {"total": S("integer"), "identified": S("integer"), "reidentify_running": S("integer"), "reidentify_overdue": S("integer"), "annual_due": S("integer"), "annual_overdue": S("integer"),
  "by_sector": {"type": "array", "items": named}, "by_province": {"type": "array", "items": named},
  "map_columns": {"type": "array", "items": named}, "map": {"type": "array", "items": {"type": "object", "properties": {"province": named, "cells": {"type": "array", "items": S("integer")}, "total": S("integer")}}}}}
dt = {"type": "string", "format": "date-time"}
iread = {"type": "object", "properties": {"id": S("integer"), "area": S(), "what": {"type": "string", "enum": ["list", "record", "logs", "reproduce"]}, "detail": S(), "items": S("integer"), "by": S(), "at": dt}}
iaction = {"type": "object", "properties": {"id": S("integer"), "kind": {"type": "string", "enum": ["finding", "order", "refusal", "obstruction", "response"]}, "text": S(),
  "due_on": {"type": "string", "format": "date"}, "side": {"type": "string", "enum": ["regulator", "operator"]}, "by": S(), "at": dt}}
insp = {"type": "object", "properties": {"id": S("integer"), "regulator_id": S("integer"), "regulator_name_zh": S(), "regulator_name_en": S(), "entry_id": S("integer"),
  "operator_id": S("integer"), "operator_name_zh": S(), "operator_name_en": S(), "ref": S(), "basis": S(),
  "legal_basis": {"type": "object", "properties": {"zh": S(), "en": S()}}, "areas": {"type": "array", "items": S()},
  "systems": {"type": "array", "items": S()}, "period_from": {"type": "string", "format": "date"}, "period_to": {"type": "string", "format": "date"},
  "period_start": dt, "period_end": dt, "opens_at": dt, "ends_at": dt, "open": S("boolean"), "opened_by": S(),
  "reads": {"type": "array", "items": {"$ref": "#/components/schemas/InspectionRead"}}, "actions": {"type": "array", "items": {"$ref": "#/components/schemas/InspectionAction"}},
  "time_box_changes": {"type": "array", "items": {"type": "object", "properties": {"id": S("integer"), "kind": {"type": "string", "enum": ["closed", "extended"]},
    "ends_before": dt, "ends_after": dt, "reason": S(), "by": S(), "at": dt}}}}}
irec = {"type": "object", "properties": {"area": S(), "id": S(), "title_zh": S(), "title_en": S(), "at": dt,
  "fields": {"type": "array", "items": {"type": "object", "properties": {"label_zh": S(), "label_en": S(), "value": S(), "value_en": S()}}},
  "data": {"type": "object", "description": "the record as the owning capability's API gives it"}, "evidence": {"type": "array", "items": S()}}}
imported = {"type": "object", "properties": {"id": S("integer"), "entry_id": S("integer"), "kind": S(), "year": S("integer"), "version": S("integer"),
  "uscc": S(), "name_zh": S(), "name_en": S(), "signed_off_by": S(), "content_sha256": S(), "pdf_sha256": S(), "key_fingerprint": S(),
  "bundle_created": {"type": "string", "format": "date-time"}, "imported_by": S(), "imported_at": {"type": "string", "format": "date-time"},
  "state": {"type": "string", "enum": ["submitted", "acknowledged", "info_requested", "accepted"]}, "answers": {"type": "array", "items": {"$ref": "#/components/schemas/SubmissionAnswer"}}}}
receipt = {"type": "object", "description": "ciiguard-report-receipt/1: receipt is the base64 of the signed JSON (format, issued, content_sha256, report_key_fingerprint, uscc, kind, year, version, department_zh, department_en, state, answers), signature an Ed25519 signature over those bytes",
  "required": ["format", "receipt", "public_key", "key_fingerprint", "signature"], "properties": {"format": {"type": "string", "enum": ["ciiguard-report-receipt/1"]},
  "receipt": {"type": "string", "format": "byte"}, "public_key": {"type": "string", "format": "byte"}, "key_fingerprint": S(), "signature": {"type": "string", "format": "byte"}}}
schemas = {
 "Inspection": insp, "InspectionRead": iread, "InspectionAction": iaction, "InspectionRecord": irec,
 "InspectionList": {"type": "object", "properties": {"inspections": {"type": "array", "items": {"$ref": "#/components/schemas/Inspection"}},
   "areas": {"type": "array", "items": {"type": "object", "properties": {"key": S(), "name_zh": S(), "name_en": S()}}}}},
 "InspectionRecords": {"type": "object", "properties": {"records": {"type": "array", "items": {"$ref": "#/components/schemas/InspectionRecord"}}}},
 "InspectionLogs": {"type": "object", "properties": {"events": {"type": "array", "items": {"type": "object"}}}},
 "Dashboard": {"type": "object", "properties": {"registry": counts,
   "sectors": {"type": "array", "items": {"type": "object", "properties": {"sector": {"type": "object", "properties": {"code": S(), "name_zh": S(), "name_en": S()}},
     "operators": S("integer"), "identified": S("integer"), "annual_overdue": S("integer"), "annual_reports": S("integer"), "annual_reports_imported": S("integer"), "incident_reports": S("integer")}}},
   "months": {"type": "array", "items": S()},
   "incidents_by_grade": {"type": "array", "items": {"type": "object", "properties": {"grade": {"type": "string", "enum": ["especially_major", "major", "relatively_major", "general", "unstated"]}, "cells": {"type": "array", "items": S("integer")}}}},
   "incidents_by_month": {"type": "array", "items": S("integer")},
   "inspections": {"type": "object", "properties": {"total": S("integer"), "in_time_box": S("integer"), "ended": S("integer"), "findings": S("integer"), "orders_open": S("integer"), "orders_overdue": S("integer")}}}},
 "AnnualSetting": {"type": "object", "properties": {"annual_day": {"type": "string", "pattern": "^([0-9]{2}-[0-9]{2})?$"}, "set_by": S(), "set_at": {"type": "string", "format": "date-time"}}},
 "Import": imported, "Receipt": receipt, "ImportList": {"type": "object", "properties": {"imports": {"type": "array", "items": {"$ref": "#/components/schemas/Import"}}}},
 "RegistryEntry": entry, "Notice": notice, "ReceivedNotice": received,
 "RegistryEntryWithNotices": {"allOf": [{"$ref": "#/components/schemas/RegistryEntry"}, {"type": "object", "properties": {"notice_list": {"type": "array", "items": {"$ref": "#/components/schemas/Notice"}}}}]},
 "Registry": {"type": "object", "properties": {"entries": {"type": "array", "items": {"$ref": "#/components/schemas/RegistryEntry"}}, "counts": counts}},
 "ReceivedNoticeList": {"type": "object", "properties": {"notices": {"type": "array", "items": {"$ref": "#/components/schemas/ReceivedNotice"}}}},
 "Case": case, "CaseList": {"type": "object", "properties": {"cases": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}}}},
 "SubmissionAnswer": answer, "Submission": sub, "Item": item, "Regulator": reg,
 "RegulatorChoice": {"type": "object", "properties": {"regulator": {"$ref": "#/components/schemas/Regulator"}, "choices": {"type": "array", "items": {"$ref": "#/components/schemas/Regulator"}}}},
 "SubmissionList": {"type": "object", "properties": {"submissions": {"type": "array", "items": {"$ref": "#/components/schemas/Submission"}}}},
 "Inbox": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
   "imports": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/Import"}, {"type": "object", "properties": {
     "submission_kind": {"type": "string", "enum": ["annual_report", "change_report"]}, "operator_id": S("integer"), "sector": S()}}]}}}},
}
json.dump({"paths": paths, "components": {"schemas": schemas}}, open("openapi.json", "w"), indent=1, ensure_ascii=False)
