//! Salesforce's Data Export service: one CSV file per object, API field names.
