package linux

import "github.com/starry-go/starry/libstarry"

// Start runs the static Linux program at path from cfg.FS in a new
// process with this personality. Errors (ENOENT, EACCES, ENOEXEC for a
// dynamic or malformed binary, E2BIG) come before anything runs.
func Start(cfg libstarry.Config, path string, argv, envv []string) (*libstarry.Process, error) {
	return libstarry.Start(cfg, Dispatch, path, argv, envv)
}

// StartInit is Start for the program that is to be PID 1
// (libstarry.StartInit).
func StartInit(cfg libstarry.Config, path string, argv, envv []string) (*libstarry.Process, error) {
	return libstarry.StartInit(cfg, Dispatch, path, argv, envv)
}
