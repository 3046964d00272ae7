# dirty.elf: a multiboot (v1) kernel that never lets its memory settle.
#
# Migration tests need a guest that stays in flight: an idle guest is mostly
# zero pages and migrates in milliseconds. This one writes a non-zero, changing
# word into every 4 KiB page of a working set, pass after pass, so every page
# is dirty again before a slow migration has sent it once.
#
# Boot: qemu-system-x86_64 -M pc -m 128 -kernel dirty.elf -accel tcg ...
# The loader enters in 32-bit protected mode, paging off, interrupts off.
#
# Heartbeat: the pass counter is stored at HEARTBEAT (fixed, see dirty.ld),
# so `xp /1wx 0x101000` over HMP shows it advancing. The kernel also writes
# "dirty\n" once to the debug port 0xe9 (seen with -debugcon file:PATH,
# whose device listens there).

        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0x00000003          # page-aligned modules, memory info
        .set WORKSET_START, 0x00200000     # 2 MiB: above the kernel and its multiboot info
        .set WORKSET_BYTES, 0x02000000     # 32 MiB
        .set PAGE_BYTES, 4096
        .set DEBUG_PORT, 0xe9

        .section .multiboot, "a"
        .align 4
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)

        .section .heartbeat, "aw"
        .globl heartbeat
heartbeat:
        .long 0

        .section .rodata
banner:
        .ascii "dirty\n"
        .set BANNER_BYTES, . - banner

        .text
        .globl _start
_start:
        cli
        # Announce the start once on the debug port (ignored without a device).
        mov $banner, %esi
        mov $BANNER_BYTES, %ecx
        mov $DEBUG_PORT, %dx
        cld
        rep outsb

        mov $1, %eax                       # the value written this pass, never 0
pass:
        mov $WORKSET_START, %edi
        mov $(WORKSET_START + WORKSET_BYTES), %ebx
page:
        mov %eax, (%edi)
        add $PAGE_BYTES, %edi
        cmp %ebx, %edi
        jb page

        mov %eax, heartbeat
        inc %eax
        jnz pass
        inc %eax                           # skip 0 on wrap: a zero page is sent as one byte
        jmp pass
