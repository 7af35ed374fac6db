# The demo application's build, included by examples/<board>/app/Makefile after it sets
# LED_MUX_REG and LED_PIN (needs Debian's binutils-arm-none-eabi).
AS = arm-none-eabi-as
LD = arm-none-eabi-ld
OBJCOPY = arm-none-eabi-objcopy
COMMON := $(dir $(lastword $(MAKEFILE_LIST)))

all: blinky.elf blinky.srec

blinky.o: $(COMMON)blinky.S
	$(AS) -mcpu=cortex-m7 -mthumb --defsym LED_MUX_REG=$(LED_MUX_REG) --defsym LED_PIN=$(LED_PIN) -o $@ $<

blinky.elf: blinky.o blinky.ld
	$(LD) -T blinky.ld -nostdlib --build-id=none -o $@ blinky.o

blinky.srec: blinky.elf
	$(OBJCOPY) -O srec --srec-forceS3 $< $@

clean:
	rm -f blinky.o

.PHONY: all clean
