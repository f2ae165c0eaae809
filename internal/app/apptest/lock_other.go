//go:build !unix

package apptest

import "errors"

// lockFile: without flock the test binaries cannot take turns seeding a shared template,
// so EnvTemplates is refused rather than raced.
func lockFile(string) (func(), error) {
	return nil, errors.New("sharing templates between test binaries needs flock (a Unix system)")
}
