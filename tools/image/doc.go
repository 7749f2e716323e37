// Package image turns the ELF that `go build` links for the kernel into a
// bootable image. The Go linker places the kernel in the upper half and sets
// p_paddr = p_vaddr; loaders need physical addresses and an entry point that
// starts in 32-bit protected mode with paging off. Rewrite therefore:
//
//   - sets each segment's p_paddr to its physical load address;
//   - writes a 32-bit entry stub (see stub.go) into the unused tail of the
//     first page, in front of the text section;
//   - fills the kernel's boot page tables (symbol bootPageTables) so the stub
//     can turn on long mode with the kernel mapped in the upper half;
//   - writes a Xen PVH note (QEMU -kernel, any PVH loader) and a Multiboot v1
//     header with address fields (GRUB's `multiboot` command).
//
// Only the standard toolchain is involved: no C compiler, no objcopy.
package image
