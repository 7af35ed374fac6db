/*
 * Demo application of the board examples: blinks the board's user LED (a GPIO1 pin) while
 * executing in place from the boot flash. Deliberately tiny and free of any SDK. Each board's
 * app/Makefile assembles it with the board's LED_MUX_REG (IOMUXC SW_MUX_CTL register of the LED's
 * pad) and LED_PIN (its GPIO1 bit), and links it with the board's blinky.ld; `make` there (needs
 * Debian's binutils-arm-none-eabi) regenerates blinky.elf and blinky.srec.
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
    ldr     r0, =LED_MUX_REG    /* IOMUXC SW_MUX_CTL_PAD_<the LED's pad> */
    movs    r1, #5              /* ALT5: GPIO1 */
    str     r1, [r0]
    ldr     r0, =0x401B8000     /* GPIO1 */
    ldr     r1, [r0, #4]        /* GDIR: the LED pin is an output */
    orr     r1, r1, #(1 << LED_PIN)
    str     r1, [r0, #4]
toggle:
    ldr     r1, [r0]            /* DR ^= 1 << LED_PIN */
    eor     r1, r1, #(1 << LED_PIN)
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
