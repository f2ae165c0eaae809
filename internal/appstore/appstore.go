// Package appstore is the app store capability (issue 17): an app store operator's duties
// under MIIT 2014 task 6, the Anti-Telecom-Fraud Law 2022 Art. 23, NDSR 2024 Art. 41 and
// the MIIT 2023 app filing notice — the platform's own filing and documents, developers
// and their identity verification (USCC, GB 11643 resident identity number, a phone
// confirmed by a one-time code), apps and versions with an automated security review of
// the uploaded APK (its binary manifest, signing certificate and code hashes, a
// malicious-app list, a permission-combination policy) and a reviewer's decision,
// take-downs and the blacklist.
//
// The public complaint form (public.go, publicguard.go) takes complaints without a
// sign-in, guarded by a proof of work and per-address limits. See docs/appstore.md for
// what exists and what is left.
package appstore

import (
	"embed"

	"ciiguard/internal/store"
)

//go:embed migrations templates messages openapi.json static
var files embed.FS

// Migrations are the capability's schema steps.
var Migrations = store.MustSQLMigrations(files, "migrations", "appstore")
