/*
 * Flashloader stand-in for the simulator. `rtprov sim` models NXP's MCUBoot flashloader itself:
 * once its boot ROM has loaded and jumped to a valid image over SDP, it speaks MCUBoot. So the
 * demo and the tests load this tiny RAM program (vector table and an idle loop) in the place
 * of the real one. On a real board give the SDK's ivt_flashloader.bin instead (project key
 * `flashloader:` or `rtprov write --flashloader`). `make` regenerates standin.elf and
 * standin.srec (needs Debian's binutils-arm-none-eabi).
 */
    .syntax unified
    .cpu cortex-m7
    .thumb

    .section .vectors, "a"
    .word   0x20010000          /* initial SP: top of the first 64 KiB of DTCM */
    .word   reset_handler + 1   /* reset vector (Thumb) */
    .rept   14
    .word   idle + 1
    .endr

    .text
    .thumb_func
reset_handler:
idle:
    wfi
    b       idle
