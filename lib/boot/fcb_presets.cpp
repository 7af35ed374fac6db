// FCB presets: what NXP's MCUXpresso SDK board files (boards/<board>/xip/
// <board>_flexspi_nor_config.c) put into the flash of each EVK. Values are transcribed field by
// field; LUT sequence indices follow the ROM convention (0 read, 1 read status, 3 write enable,
// 5 erase sector, 8 erase block, 9 page program, 11 chip erase).
#include <fmt/format.h>

#include <algorithm>

#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/flash_option.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::boot {
namespace {

using P = LutPads;
using O = LutOp;

// controllerMiscOption bits (kFlexSpiMiscOffset_*).
constexpr std::uint32_t kMiscDiffClk = 1u << 0;
constexpr std::uint32_t kMiscWordAddressable = 1u << 3;
constexpr std::uint32_t kMiscSafeConfigFreq = 1u << 4;
constexpr std::uint32_t kMiscDdrMode = 1u << 6;

constexpr std::uint8_t kSampleLoopbackInternally = 0;
constexpr std::uint8_t kSampleLoopbackFromDqsPad = 1;
constexpr std::uint8_t kSampleExternalDqs = 3;
constexpr std::uint8_t kDeviceSerialNor = 1;

constexpr std::uint32_t kKiB = 1024;
constexpr std::uint32_t kMiB = 1024 * 1024;

// Sets LUT word `word` (0..3) of sequence `seq`.
void set_lut(Fcb& f, unsigned seq, unsigned word, std::uint16_t first, std::uint16_t second = 0) {
    f.lookup_table[seq * 4 + word] = lut_word(first, second);
}

// Quad SPI NOR (ISSI IS25LP/WP, Winbond W25Q) with the SDK's full command set: 1-4-4 fast read
// 0xEB with 6 dummy cycles, status 0x05, write enable 0x06, erase 0x20 / 0xD8 / 0x60, program 0x02.
Fcb quad_spi_nor(std::uint8_t sample_clk, std::uint8_t clk_code, std::uint32_t size) {
    Fcb f;
    f.read_sample_clk_src = sample_clk;
    f.cs_hold_time = 3;
    f.cs_setup_time = 3;
    f.controller_misc_option = kMiscSafeConfigFreq;
    f.device_type = kDeviceSerialNor;
    f.sflash_pad_type = 4;
    f.serial_clk_freq = clk_code;
    f.sflash_a1_size = size;
    set_lut(f, 0, 0, lut(O::CmdSdr, P::One, 0xEB), lut(O::RaddrSdr, P::Four, 0x18));
    set_lut(f, 0, 1, lut(O::DummySdr, P::Four, 0x06), lut(O::ReadSdr, P::Four, 0x04));
    set_lut(f, 1, 0, lut(O::CmdSdr, P::One, 0x05), lut(O::ReadSdr, P::One, 0x04));
    set_lut(f, 3, 0, lut(O::CmdSdr, P::One, 0x06));
    set_lut(f, 5, 0, lut(O::CmdSdr, P::One, 0x20), lut(O::RaddrSdr, P::One, 0x18));
    set_lut(f, 8, 0, lut(O::CmdSdr, P::One, 0xD8), lut(O::RaddrSdr, P::One, 0x18));
    set_lut(f, 9, 0, lut(O::CmdSdr, P::One, 0x02), lut(O::RaddrSdr, P::One, 0x18));
    set_lut(f, 9, 1, lut(O::WriteSdr, P::One, 0x04));
    set_lut(f, 11, 0, lut(O::CmdSdr, P::One, 0x60));
    f.page_size = 256;
    f.sector_size = 4 * kKiB;
    f.ipcmd_serial_clk_freq = 1;
    f.block_size = 64 * kKiB;
    f.is_uniform_block_size = 0;
    return f;
}

// evkmimxrt1010_flexspi_nor_config.c: AT25SF128A 16 MB; the board file sets only the read LUT.
Fcb rt1010_evk() {
    Fcb f;
    f.read_sample_clk_src = kSampleLoopbackFromDqsPad;
    f.cs_hold_time = 3;
    f.cs_setup_time = 3;
    f.sflash_pad_type = 4;
    f.serial_clk_freq = 6;  // kFlexSpiSerialClk_100MHz
    f.sflash_a1_size = 16 * kMiB;
    set_lut(f, 0, 0, lut(O::CmdSdr, P::One, 0xEB), lut(O::RaddrSdr, P::Four, 0x18));
    set_lut(f, 0, 1, lut(O::DummySdr, P::Four, 0x06), lut(O::ReadSdr, P::Four, 0x04));
    f.page_size = 256;
    f.sector_size = 4 * kKiB;
    f.block_size = 64 * kKiB;
    return f;
}

// evkmimxrt1015_flexspi_nor_config.c: 16 MB QSPI at 133 MHz (RT1015 code 7).
Fcb rt1015_evk() {
    return quad_spi_nor(kSampleLoopbackFromDqsPad, 7, 16 * kMiB);
}

// evkmimxrt1020_flexspi_nor_config.c: IS25LP064A 8 MB at 133 MHz (RT1020 code 7).
Fcb rt1020_evk() {
    return quad_spi_nor(kSampleLoopbackFromDqsPad, 7, 8 * kMiB);
}

// evkmimxrt1024_flexspi_nor_config.c: in-package W25Q32JV 4 MB, internal loopback, 60 MHz (3).
Fcb rt1024_evk() {
    return quad_spi_nor(kSampleLoopbackInternally, 3, 4 * kMiB);
}

// evkmimxrt1060_flexspi_nor_config.c: IS25WP064A 8 MB at 120 MHz (RT1060 code 7).
Fcb rt1060_evk() {
    return quad_spi_nor(kSampleLoopbackFromDqsPad, 7, 8 * kMiB);
}

// evkmimxrt1064_flexspi_nor_config.c: in-package W25Q32JV 4 MB on FlexSPI2 at 120 MHz (code 7).
Fcb rt1064() {
    return quad_spi_nor(kSampleLoopbackFromDqsPad, 7, 4 * kMiB);
}

// evkbimxrt1050_flexspi_nor_config.c: HyperFlash S26KS512S 64 MB, DDR, 8 pads, with custom LUT
// sequences for the multi-command program/erase sequences.
//
// NXP's reference flex_spi.fcb (SPSDK test data) differs from the current SDK board file in one
// byte: offset 0x86 (LUT seq 0, instruction 3, DUMMY_DDR 8PAD) has operand 0x06 in the reference
// and 0x0C in the SDK file. Older SDK releases used 0x06 there; the reference is taken as ground
// truth, so this preset uses 0x06.
Fcb rt1050_evkb() {
    Fcb f;
    f.read_sample_clk_src = kSampleExternalDqs;
    f.cs_hold_time = 3;
    f.cs_setup_time = 3;
    f.column_address_width = 3;
    f.controller_misc_option =
        kMiscDdrMode | kMiscWordAddressable | kMiscSafeConfigFreq | kMiscDiffClk;
    f.device_type = kDeviceSerialNor;
    f.sflash_pad_type = 8;
    f.serial_clk_freq = 7;  // kFlexSpiSerialClk_133MHz
    f.lut_custom_seq_enable = 1;
    f.sflash_a1_size = 64 * kMiB;
    f.data_valid_time = {15, 0};
    f.busy_offset = 15;
    f.busy_bit_polarity = 1;

    const auto cmd = [](std::uint8_t op) { return lut(O::CmdDdr, P::Eight, op); };
    // HyperFlash command cycles: "unlock" address/data pairs written as 8 CMD_DDR bytes.
    const auto cmd_cycle = [&](unsigned seq, std::uint8_t a, std::uint8_t b, std::uint8_t c,
                               std::uint8_t d) {
        set_lut(f, seq, 0, cmd(0x00), cmd(0x00));
        set_lut(f, seq, 1, cmd(0x00), cmd(a));
        set_lut(f, seq, 2, cmd(0x00), cmd(b));
        set_lut(f, seq, 3, cmd(c), cmd(d));
    };

    // 0: read
    set_lut(f, 0, 0, cmd(0xA0), lut(O::RaddrDdr, P::Eight, 0x18));
    set_lut(f, 0, 1, lut(O::CaddrDdr, P::Eight, 0x10), lut(O::DummyDdr, P::Eight, 0x06));
    set_lut(f, 0, 2, lut(O::ReadDdr, P::Eight, 0x04));
    // 1-2: read status
    cmd_cycle(1, 0xAA, 0x05, 0x00, 0x70);
    set_lut(f, 2, 0, cmd(0xA0), lut(O::RaddrDdr, P::Eight, 0x18));
    set_lut(f, 2, 1, lut(O::CaddrDdr, P::Eight, 0x10), lut(O::DummyRwdsDdr, P::Eight, 0x0B));
    set_lut(f, 2, 2, lut(O::ReadDdr, P::Eight, 0x04));
    // 3-4: write enable
    cmd_cycle(3, 0xAA, 0x05, 0x00, 0xAA);
    cmd_cycle(4, 0x55, 0x02, 0x00, 0x55);
    // 5-8: erase sector
    cmd_cycle(5, 0xAA, 0x05, 0x00, 0x80);
    cmd_cycle(6, 0xAA, 0x05, 0x00, 0xAA);
    cmd_cycle(7, 0x55, 0x02, 0x00, 0x55);
    set_lut(f, 8, 0, cmd(0x00), lut(O::RaddrDdr, P::Eight, 0x18));
    set_lut(f, 8, 1, lut(O::CaddrDdr, P::Eight, 0x10), cmd(0x00));
    set_lut(f, 8, 2, cmd(0x30));
    // 9-10: page program
    cmd_cycle(9, 0xAA, 0x05, 0x00, 0xA0);
    set_lut(f, 10, 0, cmd(0x00), lut(O::RaddrDdr, P::Eight, 0x18));
    set_lut(f, 10, 1, lut(O::CaddrDdr, P::Eight, 0x10), lut(O::WriteDdr, P::Eight, 0x80));
    // 11-14: chip erase
    cmd_cycle(11, 0xAA, 0x05, 0x00, 0x80);
    cmd_cycle(12, 0xAA, 0x05, 0x00, 0xAA);
    cmd_cycle(13, 0x55, 0x02, 0x00, 0x55);
    cmd_cycle(14, 0xAA, 0x05, 0x00, 0x10);

    f.lut_custom_seq[1] = {2, 1, 0};   // read status: 2 sequences from 1
    f.lut_custom_seq[2] = {2, 3, 0};   // write enable: 2 from 3
    f.lut_custom_seq[3] = {4, 5, 0};   // erase sector: 4 from 5
    f.lut_custom_seq[4] = {2, 9, 0};   // page program: 2 from 9
    f.lut_custom_seq[5] = {4, 11, 0};  // chip erase: 4 from 11

    f.page_size = 512;
    f.sector_size = 256 * kKiB;
    f.ipcmd_serial_clk_freq = 1;
    f.serial_nor_type = 1;
    f.block_size = 256 * kKiB;
    f.is_uniform_block_size = 1;
    return f;
}

constexpr std::uint32_t kQuadSpiOption = 0xC0000007;     // QuadSPI SDR, SFDP, 133 MHz
constexpr std::uint32_t kHyperFlashOption = 0xC0233007;  // HyperFlash 1V8, 8 pads, 133 MHz

// Option words as NXP's SPSDK memcfg data lists them for each board's flash part
// (kFlexspiNorOpt0_Adesto_AT25SF128A, _ISSI_IS25LP064A, _Cypress_S26KS512S: 0xC0233007, ...).
constexpr FcbPreset kPresets[] = {
    {"rt1010-evk", "MIMXRT1010-EVK", "AT25SF128A 16 MB QSPI NOR, 100 MHz (read LUT only)",
     rt1010_evk, kQuadSpiOption},
    {"rt1015-evk", "MIMXRT1015-EVK", "16 MB QSPI NOR, 133 MHz", rt1015_evk, kQuadSpiOption},
    {"rt1020-evk", "MIMXRT1020-EVK", "IS25LP064A 8 MB QSPI NOR, 133 MHz", rt1020_evk,
     kQuadSpiOption},
    {"rt1024-evk", "MIMXRT1024-EVK", "in-package W25Q32JV 4 MB QSPI NOR, 60 MHz", rt1024_evk,
     kQuadSpiOption},
    {"rt1050-evkb", "MIMXRT1050-EVKB", "S26KS512S 64 MB HyperFlash, 133 MHz DDR", rt1050_evkb,
     kHyperFlashOption},
    {"rt1060-evk", "MIMXRT1060-EVK", "IS25WP064A 8 MB QSPI NOR, 120 MHz", rt1060_evk,
     kQuadSpiOption},
    {"rt1064", "MIMXRT1064-EVK", "in-package W25Q32JV 4 MB QSPI NOR on FlexSPI2, 120 MHz", rt1064,
     kQuadSpiOption},
};

}  // namespace

std::span<const FcbPreset> fcb_presets() {
    return kPresets;
}

namespace {

const FcbPreset& find_preset(std::string_view name) {
    const auto it = std::find_if(std::begin(kPresets), std::end(kPresets),
                                 [&](const FcbPreset& p) { return p.name == name; });
    if (it != std::end(kPresets))
        return *it;
    std::string known;
    for (const auto& p : kPresets)
        known += (known.empty() ? "" : ", ") + std::string(p.name);
    throw Error(ErrorCode::Usage, fmt::format("unknown FCB preset '{}' (known: {})", name, known));
}

}  // namespace

Fcb fcb_preset(std::string_view name) {
    return find_preset(name).build();
}

std::uint32_t fcb_preset_flash_option(std::string_view name) {
    return find_preset(name).flash_option;
}

}  // namespace rtprov::boot
