#pragma once
// FlexSPI NOR Configuration Block (FCB): the 512-byte block at offset 0 of a FlexSPI NOR flash that
// tells the i.MX RT10xx boot ROM how to talk to the flash (NXP's flexspi_nor_config_t). Field
// names in comments and in set_fcb_field() follow SPSDK's fcb_flexspi_nor.json; every multi-byte
// field is little-endian. See docs: spec/boot-image.md section 7.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rtprov/util/bytes.hpp"

namespace rtprov::boot {

inline constexpr std::size_t kFcbSize = 512;
inline constexpr std::uint32_t kFcbTag = 0x42464346;      // bytes "FCFB"
inline constexpr std::uint32_t kFcbVersion = 0x56010400;  // 'V', major 1, minor 4, bugfix 0

// flexspi_lut_seq_t: a reference to `seq_num` LUT sequences starting at index `seq_id`.
// Stored as byte 0 = seqNum, byte 1 = seqId, bytes 2..3 reserved (the SDK header comment that
// says "[7:0] LUT sequence id" is wrong; the struct and SPSDK's bitfields put seqNum first).
struct FcbLutSeq {
    std::uint8_t seq_num = 0;
    std::uint8_t seq_id = 0;
    std::uint16_t reserved = 0;

    friend bool operator==(const FcbLutSeq&, const FcbLutSeq&) = default;
};

// The whole block, one member per field of the table (offsets in comments). Reserved areas are
// kept so that parse -> serialize reproduces any input byte for byte.
struct Fcb {
    std::uint32_t tag = kFcbTag;                     // 0x000
    std::uint32_t version = kFcbVersion;             // 0x004
    std::uint32_t reserved0 = 0;                     // 0x008
    std::uint8_t read_sample_clk_src = 0;            // 0x00C 0 loopback, 1 DQS pad, 3 flash DQS
    std::uint8_t cs_hold_time = 0;                   // 0x00D
    std::uint8_t cs_setup_time = 0;                  // 0x00E
    std::uint8_t column_address_width = 0;           // 0x00F HyperBus: 3
    std::uint8_t device_mode_cfg_enable = 0;         // 0x010
    std::uint8_t device_mode_type = 0;               // 0x011
    std::uint16_t wait_time_cfg_commands = 0;        // 0x012 unit 100 us
    FcbLutSeq device_mode_seq;                       // 0x014
    std::uint32_t device_mode_arg = 0;               // 0x018
    std::uint8_t config_cmd_enable = 0;              // 0x01C
    std::array<std::uint8_t, 3> config_mode_type{};  // 0x01D
    std::array<FcbLutSeq, 3> config_cmd_seqs{};      // 0x020
    std::uint32_t reserved1 = 0;                     // 0x02C
    std::array<std::uint32_t, 3> config_cmd_args{};  // 0x030
    std::uint32_t reserved2 = 0;                     // 0x03C
    std::uint32_t controller_misc_option = 0;        // 0x040 bit flags (kFlexSpiMiscOffset_*)
    std::uint8_t device_type = 0;                    // 0x044 1 serial NOR, 2 serial NAND
    std::uint8_t sflash_pad_type = 0;                // 0x045 1, 2, 4, 8
    std::uint8_t serial_clk_freq = 0;                // 0x046 device-specific code
    std::uint8_t lut_custom_seq_enable = 0;          // 0x047
    std::array<std::uint32_t, 2> reserved3{};        // 0x048
    std::uint32_t sflash_a1_size = 0;                // 0x050 bytes
    std::uint32_t sflash_a2_size = 0;                // 0x054
    std::uint32_t sflash_b1_size = 0;                // 0x058
    std::uint32_t sflash_b2_size = 0;                // 0x05C
    std::uint32_t cs_pad_setting_override = 0;       // 0x060
    std::uint32_t sclk_pad_setting_override = 0;     // 0x064
    std::uint32_t data_pad_setting_override = 0;     // 0x068
    std::uint32_t dqs_pad_setting_override = 0;      // 0x06C
    std::uint32_t timeout_in_ms = 0;                 // 0x070
    std::uint32_t command_interval = 0;              // 0x074
    std::array<std::uint16_t, 2> data_valid_time{};  // 0x078 unit 0.1 ns, port A and B
    std::uint16_t busy_offset = 0;                   // 0x07C 0..31
    std::uint16_t busy_bit_polarity = 0;             // 0x07E
    std::array<std::uint32_t, 64> lookup_table{};    // 0x080 16 sequences x 4 words
    std::array<FcbLutSeq, 12> lut_custom_seq{};      // 0x180
    std::array<std::uint32_t, 4> reserved4{};        // 0x1B0
    std::uint32_t page_size = 0;                     // 0x1C0 (serial NOR part from here on)
    std::uint32_t sector_size = 0;                   // 0x1C4
    std::uint8_t ipcmd_serial_clk_freq = 0;          // 0x1C8
    std::uint8_t is_uniform_block_size = 0;          // 0x1C9
    std::array<std::uint8_t, 2> reserved5{};         // 0x1CA
    std::uint8_t serial_nor_type = 0;                // 0x1CC
    std::uint8_t need_exit_no_cmd_mode = 0;          // 0x1CD
    std::uint8_t half_clk_for_non_read_cmd = 0;      // 0x1CE
    std::uint8_t need_restore_no_cmd_mode = 0;       // 0x1CF
    std::uint32_t block_size = 0;                    // 0x1D0
    std::array<std::uint32_t, 11> reserved6{};       // 0x1D4 .. 0x1FF

    friend bool operator==(const Fcb&, const Fcb&) = default;
};

// Parses a 512-byte FCB. Throws Error(BadInput) "name: offset 0x..: ..." when the size is not
// 512, the tag is not "FCFB" or the version is not 'V' major 1.
Fcb parse_fcb(ByteView data, std::string_view name);

// Encodes an FCB as exactly 512 bytes (reserved fields written as stored).
Bytes serialize(const Fcb& fcb);

// ---- LUT instructions -------------------------------------------------------------------------
// A LUT instruction is 16 bits: [15:10] opcode, [9:8] pads (0=1, 1=2, 2=4, 3=8), [7:0] operand.
// A 32-bit LUT word holds two instructions, the first one in the low half.

enum class LutOp : std::uint8_t {
    Stop = 0x00,
    CmdSdr = 0x01,
    RaddrSdr = 0x02,
    CaddrSdr = 0x03,
    Mode1Sdr = 0x04,
    Mode2Sdr = 0x05,
    Mode4Sdr = 0x06,
    Mode8Sdr = 0x07,
    WriteSdr = 0x08,
    ReadSdr = 0x09,
    LearnSdr = 0x0A,
    DatszSdr = 0x0B,
    DummySdr = 0x0C,
    DummyRwdsSdr = 0x0D,
    JmpOnCs = 0x1F,
    CmdDdr = 0x21,
    RaddrDdr = 0x22,
    CaddrDdr = 0x23,
    Mode1Ddr = 0x24,
    Mode2Ddr = 0x25,
    Mode4Ddr = 0x26,
    Mode8Ddr = 0x27,
    WriteDdr = 0x28,
    ReadDdr = 0x29,
    LearnDdr = 0x2A,
    DatszDdr = 0x2B,
    DummyDdr = 0x2C,
    DummyRwdsDdr = 0x2D,
};

// Number of data pads an instruction uses, as encoded in bits 9:8.
enum class LutPads : std::uint8_t { One = 0, Two = 1, Four = 2, Eight = 3 };

// Encodes one instruction.
constexpr std::uint16_t lut(LutOp op, LutPads pads, std::uint8_t operand) {
    return static_cast<std::uint16_t>((static_cast<unsigned>(op) << 10) |
                                      (static_cast<unsigned>(pads) << 8) | operand);
}

// Packs two instructions into one LUT word (FLEXSPI_LUT_SEQ); `second` defaults to STOP.
constexpr std::uint32_t lut_word(std::uint16_t first, std::uint16_t second = 0) {
    return static_cast<std::uint32_t>(first) | (static_cast<std::uint32_t>(second) << 16);
}

struct LutInstruction {
    std::uint8_t opcode = 0;  // 6 bits
    std::uint8_t pads = 1;    // 1, 2, 4 or 8
    std::uint8_t operand = 0;
};

// Splits a 16-bit instruction into its parts (pads converted to a count).
LutInstruction decode_lut(std::uint16_t instruction);

// NXP name of an opcode ("CMD_SDR", "DUMMY_RWDS_DDR", "STOP"), or "" when the opcode is undefined.
std::string_view lut_op_name(std::uint8_t opcode);

// "CMD_SDR 1PAD 0xEB"; unknown opcodes are shown as "OP_0x3F".
std::string describe_lut(std::uint16_t instruction);

// Instructions of LUT sequence `seq` (0..15) up to and excluding the first STOP, described as
// above.
std::vector<std::string> describe_lut_sequence(const Fcb& fcb, unsigned seq);

// ---- named fields -----------------------------------------------------------------------------

// Every field in block order with its value, named as in SPSDK's json (arrays as "name[i]",
// LUT words as "lookupTable[0]" .. "lookupTable[63]"); reserved areas are left out.
std::vector<std::pair<std::string, std::uint64_t>> fcb_fields(const Fcb& fcb);

// Sets one field by name ("serialClkFreq", "sflashA1Size", "lookupTable[5]", "lutCustomSeq_2").
// Throws Error(Usage) for an unknown name (listing close names), a bad index, a fixed field
// (tag, version) or a value that does not fit the field's width.
void set_fcb_field(Fcb& fcb, std::string_view name, std::uint64_t value);

// ---- presets (fcb_presets.cpp) ------------------------------------------------------------------

struct FcbPreset {
    std::string_view name;         // "rt1020-evk"
    std::string_view board;        // "MIMXRT1020-EVK"
    std::string_view description;  // the flash part and how it is wired
    Fcb (*build)();
    // The FlexSPI NOR option word NXP's tools configure this board's flash with (blhost
    // fill-memory + configure-memory 9; flash_option.hpp): 0xC0000007 QSPI, 0xC0233007 HyperFlash.
    std::uint32_t flash_option;
};

// The FCBs that NXP's MCUXpresso SDK board files (xip/<board>_flexspi_nor_config.c) program
// into the EVK flash, in name order.
std::span<const FcbPreset> fcb_presets();

// The FCB of a named preset. Throws Error(Usage) naming the known presets when unknown.
Fcb fcb_preset(std::string_view name);

}  // namespace rtprov::boot
