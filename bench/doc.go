// Package bench holds benchmarks that run inside the booted kernel; the
// host side (`starry bench ...`) boots them and prints their figures.
// Figures are medians of many samples measured with the TSC, converted
// to nanoseconds with the boot-time calibration.
package bench
