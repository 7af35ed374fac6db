/*
 * Demo application for the MIMXRT1020-EVK: blinks the user LED (GPIO1_IO05, pad GPIO_AD_B0_05)
 * while executing in place from the QSPI flash at 0x60002000. Deliberately tiny and free of any
 * SDK so that the example project is self-contained; `make` in this folder (needs Debian's
 * binutils-arm-none-eabi) regenerates blinky.elf and blinky.srec from this file.
 */
    .syntax unified
    .cpu cortex-m7
    .thumb

    .section .vectors, "a"
    .word   0x20010000          /* initial SP: top of the first 64 KiB of DTCM */
    .word   reset_handler + 1   /* reset vector (Thumb) */
    .rept   14
    .word   default_handler + 1
    .endr

    .text
    .thumb_func
reset_handler:
    ldr     r0, =0x400FC06C     /* CCM_CCGR1: ungate GPIO1 (CG13) */
    ldr     r1, [r0]
    orr     r1, r1, #(3 << 26)
    str     r1, [r0]
    ldr     r0, =0x401F80D0     /* IOMUXC SW_MUX_CTL_PAD_GPIO_AD_B0_05 */
    movs    r1, #5              /* ALT5: GPIO1_IO05 */
    str     r1, [r0]
    ldr     r0, =0x401B8000     /* GPIO1 */
    ldr     r1, [r0, #4]        /* GDIR: pin 5 is an output */
    orr     r1, r1, #(1 << 5)
    str     r1, [r0, #4]
toggle:
    ldr     r1, [r0]            /* DR ^= 1 << 5 */
    eor     r1, r1, #(1 << 5)
    str     r1, [r0]
    ldr     r2, =20000000       /* roughly 0.2 s at the ROM's core clock */
delay:
    subs    r2, r2, #1
    bne     delay
    b       toggle

    .thumb_func
default_handler:
    b       default_handler
    .ltorg
