#pragma once
// The simulated chip: one part from the device database with its RAM, FlexSPI NOR flash and OCOTP
// fuses, and the program it runs (boot ROM or flashloader). Bus accesses dispatch by address:
// the FlexSPI window reads the flash, the OCOTP shadow registers read the fuses, RAM and
// peripheral space land in sparse memory.

#include <cstdint>
#include <span>

#include "rtprov/device/device.hpp"
#include "rtprov/sim/flash.hpp"
#include "rtprov/sim/fuses.hpp"
#include "rtprov/sim/memory.hpp"

namespace rtprov::sim {

// Rom: the boot ROM's serial downloader (SDP); Flashloader: MCUBoot after a jump; App: the part
// booted the application from flash (internal boot) and answers neither protocol.
enum class ChipMode { Rom, Flashloader, App };

// "rom" / "flashloader" / "app".
std::string_view chip_mode_name(ChipMode mode);

enum class BusStatus {
    Ok,
    InvalidAddress,  // no memory or register there
    ReadOnly,        // flash window or fuse shadows: not writable by a plain store
};

enum class Area { None, Ram, Peripheral, Flash, Ocotp };

// The BOOT_MODE pins: SerialDownloader (01) keeps the ROM in SDP after every reset; Internal
// (10) boots from flash and falls back to the serial downloader when that fails.
enum class BootPins { SerialDownloader, Internal };

class Chip {
  public:
    explicit Chip(const device::Device& device, FlashGeometry geometry = {});

    const device::Device& device() const { return *device_; }
    NorFlash& flash() { return flash_; }
    const NorFlash& flash() const { return flash_; }
    Fuses& fuses() { return fuses_; }
    const Fuses& fuses() const { return fuses_; }
    SparseMemory& ram() { return ram_; }

    ChipMode mode() const { return mode_; }
    void set_mode(ChipMode mode) { mode_ = mode; }
    // The flashloader has run configure-memory for FlexSPI NOR (writes to flash allowed).
    bool flash_configured() const { return flash_configured_; }
    void set_flash_configured(bool on) { flash_configured_ = on; }

    // Start of the FlexSPI memory-mapped window (0x60000000 on RT10xx).
    std::uint32_t flash_base() const { return flash_base_; }
    // What lies at [address, address + length) (None when the range crosses areas or is unmapped).
    Area area_of(std::uint64_t address, std::uint64_t length = 1) const;

    // Reads memory, flash window or fuse shadows (whole 32-bit words only for OCOTP).
    BusStatus read(std::uint32_t address, std::span<std::uint8_t> out) const;
    // Stores into RAM or peripheral space.
    BusStatus write(std::uint32_t address, ByteView data);

    BootPins boot_pins() const { return boot_pins_; }
    void set_boot_pins(BootPins pins) { boot_pins_ = pins; }
    // The boot configuration pin for Encrypted XIP (a BOOT_CFG GPIO): the boot ROM reads it
    // instead of the ENCRYPTED_XIP fuse while BT_FUSE_SEL is not burned. Off by default.
    bool encrypted_xip_pin() const { return encrypted_xip_pin_; }
    void set_encrypted_xip_pin(bool on) { encrypted_xip_pin_ = on; }

    // Power-on / reset: RAM and configuration lost, flash and fuses kept. The boot ROM runs:
    // with Internal boot pins and a flash image that boots (check_flash_boot) the part runs the
    // application (ChipMode::App), else it is in the serial downloader (ChipMode::Rom).
    void reset();

  private:
    const device::Device* device_;
    NorFlash flash_;
    Fuses fuses_;
    SparseMemory ram_;
    ChipMode mode_ = ChipMode::Rom;
    BootPins boot_pins_ = BootPins::SerialDownloader;
    bool encrypted_xip_pin_ = false;
    bool flash_configured_ = false;
    std::uint32_t flash_base_ = 0x60000000;
};

}  // namespace rtprov::sim
