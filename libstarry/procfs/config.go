package procfs

import (
	"bytes"
	"compress/gzip"
)

// /proc/config.gz (CONFIG_IKCONFIG_PROC): the kernel's configuration,
// gzipped, which programs read to learn what the kernel has (LTP's
// needs_kconfigs). The source says what this kernel does and does not
// do, in .config's own terms.
func showConfig(c *ctx) ([]byte, error) {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(c.src.System().Config))
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
