package linux

// Scheduling, priorities, capabilities, resource usage and the other
// per-process attributes Linux keeps.

func schedCalls() []Syscall {
	return []Syscall{}
}

// schedPrototypes are the prototypes (see prototypes.go) of this file's calls.
var schedPrototypes = map[string]string{}
