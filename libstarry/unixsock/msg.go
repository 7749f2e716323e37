package unixsock

import "github.com/starry-go/starry/libstarry/fd"

// message is one sk_buff on a receive queue: bytes (a stream reader may
// take them in parts), the open files and credentials that came with
// them, and the sender, whose send buffer they count against until they
// are read or dropped. On a listener's queue it is a connection: conn is
// the socket connect made, for accept to hand out.
type message struct {
	data     []byte
	off      int // bytes a stream reader has taken
	from     *Socket
	fromName string // the sender's name when it sent
	charge   int64
	files    []*fd.OpenFile
	cred     *Ucred // nil: none attached (neither end passed credentials)
	conn     *Socket
}

func (m *message) left() int { return len(m.data) - m.off }

// drop is kfree_skb with unix_destruct_scm: the files' references go
// and the sender's buffer gets the room back. No socket lock may be
// held: a dropped file may be the last reference to another socket.
func (m *message) drop() {
	putFiles(m.files)
	m.files = nil
	m.done()
}

// done gives the sender its room back (sock_wfree).
func (m *message) done() {
	if m.from != nil && m.charge != 0 {
		m.from.wmem.Add(-m.charge)
		m.charge = 0
		m.from.q.Notify()
	}
}

func dropAll(q []*message) {
	for _, m := range q {
		m.drop()
	}
}

// putFiles drops references to open files no one will receive.
func putFiles(fs []*fd.OpenFile) {
	for _, f := range fs {
		f.DecRef()
	}
}

// cloneFiles is scm_fp_dup, for MSG_PEEK: more references to the same
// open files.
func cloneFiles(fs []*fd.OpenFile) []*fd.OpenFile {
	if len(fs) == 0 {
		return nil
	}
	out := make([]*fd.OpenFile, len(fs))
	for i, f := range fs {
		f.IncRef()
		out[i] = f
	}
	return out
}

// sameCred is unix_skb_scm_eq: a stream read that reports credentials
// never joins bytes from different senders.
func sameCred(a, b *Ucred) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// Sizes that decide how much a socket may have in flight.
const (
	skbSize      = 256         // SKB_DATA_ALIGN(sizeof(struct sk_buff))
	shinfoSize   = 320         // SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
	pageSize     = 4096        //
	streamHead   = 4096 - 320  // SKB_MAX_HEAD(0): the rest of a stream chunk goes in pages
	dgramHead    = 16384 - 320 // SKB_MAX_ALLOC: likewise for a datagram
	streamChunk  = streamHead + 32768
	defaultBuf   = 212992 // net.core.wmem_default and rmem_default
	maxBuf       = 212992 // net.core.wmem_max and rmem_max, Linux's defaults
	minSndbuf    = 4608   // SOCK_MIN_SNDBUF
	minRcvbuf    = 2304   // SOCK_MIN_RCVBUF
	maxDgramQlen = 10     // net.unix.max_dgram_qlen
	somaxconn    = 4096   // net.core.somaxconn
)

// truesize is roughly skb->truesize for n bytes, which counts against
// the sender's SO_SNDBUF: the sk_buff, its head from kmalloc (with
// skb_shared_info), and whole pages for what does not fit the head. A
// byte costs 768, a kilobyte 2304, as Linux charges them.
func truesize(n, maxHead int) int64 {
	frags := 0
	if n > maxHead {
		frags = min(n, (n-maxHead+pageSize-1)/pageSize*pageSize)
	}
	head := (n-frags+63)/64*64 + shinfoSize
	k := 512
	for k < head {
		k <<= 1
	}
	return int64(skbSize + k + (frags+pageSize-1)/pageSize*pageSize)
}
