// Package appstore is the app store capability (issue 17): an app store operator's duties
// under MIIT 2014 task 6, the Anti-Telecom-Fraud Law 2022 Art. 23, NDSR 2024 Art. 41 and
// the MIIT 2023 app filing notice — the platform's own filing and documents, developers
// and their identity verification (USCC, GB 11643 resident identity number, a phone
// confirmed by a one-time code), apps and versions with an automated security review of
// the uploaded APK (its binary manifest, signing certificate and code hashes, a
// malicious-app list, a permission-combination policy) and a reviewer's decision,
// take-downs and the blacklist.
//
// State (see docs/appstore.md): the parsers and checks are tested; the service, its
// migration and records are written but not yet wired as a module (no routes, pages,
// fact set or demo), and not yet tested against a store.
package appstore

import (
	"embed"

	"ciiguard/internal/store"
)

//go:embed migrations
var files embed.FS

// Migrations are the capability's schema steps.
var Migrations = store.MustSQLMigrations(files, "migrations", "appstore")
