package libstarry

import (
	"encoding/binary"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The FPU image of a signal frame (copy_fpstate_to_sigframe and
// fpu__restore_sig). When the machine saves AVX state the frame holds an
// XSAVE image, so a handler may use the vector registers freely and
// sigreturn gives the interrupted code its YMM registers back (and a
// handler may edit them there, as Go's and glibc's never do but a
// debugger-like handler may); otherwise the FXSAVE image alone.

// fpFrameSize is how many bytes the image takes on the user's stack.
func fpFrameSize(xfeatures uint64) uint64 {
	if xfeatures&abi.XFeatureAVX != 0 {
		return abi.XSaveFrameSize
	}
	return abi.FPStateSize
}

// fpImage encodes r's FPU state as the frame's image. xstate_bv always
// names AVX: the upper halves are there, zero or not, and an XRSTOR of
// zeros is the init state.
func fpImage(r *exo.Regs, xfeatures uint64) []byte {
	b := make([]byte, fpFrameSize(xfeatures))
	copy(b, r.FX[:])
	if xfeatures&abi.XFeatureAVX == 0 {
		return b
	}
	le := binary.LittleEndian
	sw := b[abi.FPXSWBytes:abi.FPStateSize]
	clear(sw)
	le.PutUint32(sw[0:], abi.FPXStateMagic1)
	le.PutUint32(sw[4:], abi.XSaveFrameSize) // extended_size
	le.PutUint64(sw[8:], abi.XFeaturesFPSSE|abi.XFeatureAVX)
	le.PutUint32(sw[16:], abi.XSaveSizeAVX) // xstate_size
	le.PutUint64(b[abi.XSaveHeader:], abi.XFeaturesFPSSE|abi.XFeatureAVX)
	copy(b[abi.XSaveAVX:], r.YMMHi[:])
	le.PutUint32(b[abi.XSaveSizeAVX:], abi.FPXStateMagic2)
	return b
}

// restoreFP loads the image at fp into r (rt_sigreturn). An image
// without valid software bytes and magic is a legacy one: x87 and SSE
// come from it and the AVX state goes back to its initial state, as
// Linux's fx_only path does. A header XRSTOR would refuse (reserved
// bytes, features the machine does not save) is a bad frame.
func restoreFP(m *mm.MM, fp uint64, r *exo.Regs, xfeatures uint64) error {
	var fx [abi.FPStateSize]byte
	if err := m.CopyIn(uintptr(fp), fx[:]); err != nil {
		return err
	}
	le := binary.LittleEndian
	le.PutUint32(fx[mxcsrOff:], le.Uint32(fx[mxcsrOff:])&mxcsrMask)
	var ymm [256]byte
	if xfeatures&abi.XFeatureAVX != 0 {
		ext, err := extendedImage(m, fp, fx[abi.FPXSWBytes:])
		if err != nil {
			return err
		}
		if ext != nil {
			bv := le.Uint64(ext[abi.XSaveHeader:])
			if bv&^xfeatures != 0 || le.Uint64(ext[abi.XSaveHeader+8:]) != 0 || le.Uint64(ext[abi.XSaveHeader+16:]) != 0 {
				return abi.EFAULT // XRSTOR's #GP
			}
			if bv&le.Uint64(fx[abi.FPXSWBytes+8:])&abi.XFeatureAVX != 0 {
				copy(ymm[:], ext[abi.XSaveAVX:])
			}
		}
	}
	r.FX, r.YMMHi = fx, ymm
	r.FPChanged()
	return nil
}

// extendedImage reads the XSAVE image through its AVX component when
// the software bytes sw describe one (check_xstate_in_sigframe), or
// returns nil for a legacy image.
func extendedImage(m *mm.MM, fp uint64, sw []byte) ([]byte, error) {
	le := binary.LittleEndian
	size := le.Uint32(sw[16:])
	if le.Uint32(sw[0:]) != abi.FPXStateMagic1 || size < abi.XSaveMinSize || size > abi.XSaveSizeAVX ||
		size > le.Uint32(sw[4:]) {
		return nil, nil
	}
	ext := make([]byte, abi.XSaveSizeAVX+4)
	if err := m.CopyIn(uintptr(fp), ext[:size+4]); err != nil {
		return nil, err
	}
	if le.Uint32(ext[size:]) != abi.FPXStateMagic2 {
		return nil, nil
	}
	clear(ext[size:]) // components past a short image are in their init state
	return ext, nil
}
