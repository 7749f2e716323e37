// Package bench will hold benchmark programs that run inside the guest.
// The boot benchmark lives in tools/starry (`starry bench boot`) because it
// measures from the host.
package bench
