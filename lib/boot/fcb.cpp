#include "rtprov/boot/fcb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "rtprov/util/error.hpp"
#include "rtprov/util/parse.hpp"
#include "rtprov/util/text.hpp"

namespace rtprov::boot {
namespace {

// The block layout is written down once, in walk(): every field in order with its SPSDK name.
// Each visitor (reader, writer, lister, setter) sees the same sequence, so offsets cannot drift
// between parsing, serializing and the named-field access. `index` is -1 for scalar fields.
template <typename F, typename Io>
void walk(F& f, Io& io) {
    io.num("tag", -1, f.tag);
    io.num("version", -1, f.version);
    io.reserved(f.reserved0);
    io.num("readSampleClkSrc", -1, f.read_sample_clk_src);
    io.num("csHoldTime", -1, f.cs_hold_time);
    io.num("csSetupTime", -1, f.cs_setup_time);
    io.num("columnAddressWidth", -1, f.column_address_width);
    io.num("deviceModeCfgEnable", -1, f.device_mode_cfg_enable);
    io.num("deviceModeType", -1, f.device_mode_type);
    io.num("waitTimeCfgCommands", -1, f.wait_time_cfg_commands);
    io.seq("deviceModeSeq", -1, f.device_mode_seq);
    io.num("deviceModeArg", -1, f.device_mode_arg);
    io.num("configCmdEnable", -1, f.config_cmd_enable);
    for (int i = 0; i < 3; ++i)
        io.num("configModeType", i, f.config_mode_type[i]);
    for (int i = 0; i < 3; ++i)
        io.seq("configCmdSeqs", i, f.config_cmd_seqs[i]);
    io.reserved(f.reserved1);
    for (int i = 0; i < 3; ++i)
        io.num("configCmdArgs", i, f.config_cmd_args[i]);
    io.reserved(f.reserved2);
    io.num("controllerMiscOption", -1, f.controller_misc_option);
    io.num("deviceType", -1, f.device_type);
    io.num("sflashPadType", -1, f.sflash_pad_type);
    io.num("serialClkFreq", -1, f.serial_clk_freq);
    io.num("lutCustomSeqEnable", -1, f.lut_custom_seq_enable);
    for (auto& r : f.reserved3)
        io.reserved(r);
    io.num("sflashA1Size", -1, f.sflash_a1_size);
    io.num("sflashA2Size", -1, f.sflash_a2_size);
    io.num("sflashB1Size", -1, f.sflash_b1_size);
    io.num("sflashB2Size", -1, f.sflash_b2_size);
    io.num("csPadSettingOverride", -1, f.cs_pad_setting_override);
    io.num("sclkPadSettingOverride", -1, f.sclk_pad_setting_override);
    io.num("dataPadSettingOverride", -1, f.data_pad_setting_override);
    io.num("dqsPadSettingOverride", -1, f.dqs_pad_setting_override);
    io.num("timeoutInMs", -1, f.timeout_in_ms);
    io.num("commandInterval", -1, f.command_interval);
    for (int i = 0; i < 2; ++i)
        io.num("dataValidTime", i, f.data_valid_time[i]);
    io.num("busyOffset", -1, f.busy_offset);
    io.num("busyBitPolarity", -1, f.busy_bit_polarity);
    for (int i = 0; i < 64; ++i)
        io.num("lookupTable", i, f.lookup_table[i]);
    for (int i = 0; i < 12; ++i)
        io.seq("lutCustomSeq", i, f.lut_custom_seq[i]);
    for (auto& r : f.reserved4)
        io.reserved(r);
    io.num("pageSize", -1, f.page_size);
    io.num("sectorSize", -1, f.sector_size);
    io.num("ipcmdSerialClkFreq", -1, f.ipcmd_serial_clk_freq);
    io.num("isUniformBlockSize", -1, f.is_uniform_block_size);
    for (auto& r : f.reserved5)
        io.reserved(r);
    io.num("serialNorType", -1, f.serial_nor_type);
    io.num("needExitNoCmdMode", -1, f.need_exit_no_cmd_mode);
    io.num("halfClkForNonReadCmd", -1, f.half_clk_for_non_read_cmd);
    io.num("needRestoreNoCmdMode", -1, f.need_restore_no_cmd_mode);
    io.num("blockSize", -1, f.block_size);
    for (auto& r : f.reserved6)
        io.reserved(r);
}

std::uint32_t pack_seq(const FcbLutSeq& s) {
    return static_cast<std::uint32_t>(s.seq_num) | (static_cast<std::uint32_t>(s.seq_id) << 8) |
           (static_cast<std::uint32_t>(s.reserved) << 16);
}

FcbLutSeq unpack_seq(std::uint32_t v) {
    return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
            static_cast<std::uint16_t>(v >> 16)};
}

struct Reader {
    const std::uint8_t* p;
    std::size_t pos = 0;

    template <typename T>
    void get(T& v) {
        std::uint64_t x = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i)
            x |= std::uint64_t{p[pos + i]} << (8 * i);
        v = static_cast<T>(x);
        pos += sizeof(T);
    }
    template <typename T>
    void num(std::string_view, int, T& v) {
        get(v);
    }
    template <typename T>
    void reserved(T& v) {
        get(v);
    }
    void seq(std::string_view, int, FcbLutSeq& s) {
        std::uint32_t v = 0;
        get(v);
        s = unpack_seq(v);
    }
};

struct Writer {
    std::uint8_t* p;
    std::size_t pos = 0;

    template <typename T>
    void put(T v) {
        for (std::size_t i = 0; i < sizeof(T); ++i) {
            p[pos + i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i));
        }
        pos += sizeof(T);
    }
    template <typename T>
    void num(std::string_view, int, const T& v) {
        put(v);
    }
    template <typename T>
    void reserved(const T& v) {
        put(v);
    }
    void seq(std::string_view, int, const FcbLutSeq& s) { put(pack_seq(s)); }
};

struct Lister {
    std::vector<std::pair<std::string, std::uint64_t>> out;

    static std::string full_name(std::string_view name, int index) {
        return index < 0 ? std::string(name) : fmt::format("{}[{}]", name, index);
    }
    template <typename T>
    void num(std::string_view name, int index, const T& v) {
        out.emplace_back(full_name(name, index), static_cast<std::uint64_t>(v));
    }
    template <typename T>
    void reserved(const T&) {}
    void seq(std::string_view name, int index, const FcbLutSeq& s) {
        out.emplace_back(full_name(name, index), pack_seq(s));
    }
};

// Field names with their array length (0 = scalar) and width in bits, in block order.
struct FieldInfo {
    std::string_view name;
    int count = 0;
    unsigned bits = 0;
};

struct Catalog {
    std::vector<FieldInfo> fields;

    void add(std::string_view name, int index, unsigned bits) {
        if (index <= 0) {
            fields.push_back({name, index < 0 ? 0 : 1, bits});
        } else {
            fields.back().count = index + 1;
        }
    }
    template <typename T>
    void num(std::string_view name, int index, const T&) {
        add(name, index, 8 * sizeof(T));
    }
    template <typename T>
    void reserved(const T&) {}
    void seq(std::string_view name, int index, const FcbLutSeq&) { add(name, index, 32); }
};

struct Setter {
    std::string_view name;
    int index;
    std::uint64_t value;

    template <typename T>
    void num(std::string_view n, int i, T& v) {
        if (n == name && i == index)
            v = static_cast<T>(value);
    }
    template <typename T>
    void reserved(T&) {}
    void seq(std::string_view n, int i, FcbLutSeq& s) {
        if (n == name && i == index)
            s = unpack_seq(static_cast<std::uint32_t>(value));
    }
};

const std::vector<FieldInfo>& catalog() {
    static const std::vector<FieldInfo> fields = [] {
        Catalog c;
        const Fcb fcb;
        walk(fcb, c);
        return c.fields;
    }();
    return fields;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// Names a user probably meant: same letters in another case, a substring either way, or a few
// typing mistakes away; closest first, at most five.
std::string close_names(std::string_view wanted) {
    const std::string w = lower(wanted);
    std::vector<std::pair<std::size_t, std::string_view>> hits;
    for (const auto& f : catalog()) {
        const std::string n = lower(f.name);
        const std::size_t d = edit_distance(w, n);
        const bool contains =
            w.size() >= 3 && (n.find(w) != std::string::npos || w.find(n) != std::string::npos);
        if (d <= std::max<std::size_t>(2, w.size() / 4) || contains)
            hits.emplace_back(d, f.name);
    }
    std::stable_sort(hits.begin(), hits.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    if (hits.size() > 5)
        hits.resize(5);
    std::string out;
    for (const auto& h : hits)
        out += (out.empty() ? "" : ", ") + std::string(h.second);
    return out;
}

}  // namespace

Fcb parse_fcb(ByteView data, std::string_view name) {
    if (data.size() != kFcbSize) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: FCB is {} bytes, expected {}", name, data.size(), kFcbSize));
    }
    Fcb fcb;
    Reader r{data.data()};
    walk(fcb, r);
    if (fcb.tag != kFcbTag) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: offset 0x0: FCB tag is 0x{:08X}, expected 0x{:08X} (\"FCFB\")",
                                name, fcb.tag, kFcbTag));
    }
    if ((fcb.version >> 16) != (kFcbVersion >> 16)) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: offset 0x4: FCB version is 0x{:08X}, expected 'V' major 1 "
                                "(0x5601xxxx)",
                                name, fcb.version));
    }
    return fcb;
}

Bytes serialize(const Fcb& fcb) {
    Bytes out(kFcbSize);
    Writer w{out.data()};
    walk(fcb, w);
    if (w.pos != kFcbSize) {
        throw Error(ErrorCode::Internal, fmt::format("FCB layout is {} bytes, not 512", w.pos));
    }
    return out;
}

LutInstruction decode_lut(std::uint16_t instruction) {
    return {static_cast<std::uint8_t>(instruction >> 10),
            static_cast<std::uint8_t>(1u << ((instruction >> 8) & 3u)),
            static_cast<std::uint8_t>(instruction)};
}

std::string_view lut_op_name(std::uint8_t opcode) {
    // Names and codes from SPSDK's fcb_flexspi_nor.json (OPERATION_CODE values).
    static constexpr std::pair<std::uint8_t, std::string_view> kNames[] = {
        {0x00, "STOP"},           {0x01, "CMD_SDR"},        {0x02, "RADDR_SDR"},
        {0x03, "CADDR_SDR"},      {0x04, "MODE1_SDR"},      {0x05, "MODE2_SDR"},
        {0x06, "MODE4_SDR"},      {0x07, "MODE8_SDR"},      {0x08, "WRITE_SDR"},
        {0x09, "READ_SDR"},       {0x0A, "LEARN_SDR"},      {0x0B, "DATSZ_SDR"},
        {0x0C, "DUMMY_SDR"},      {0x0D, "DUMMY_RWDS_SDR"}, {0x1F, "JMP_ON_CS"},
        {0x21, "CMD_DDR"},        {0x22, "RADDR_DDR"},      {0x23, "CADDR_DDR"},
        {0x24, "MODE1_DDR"},      {0x25, "MODE2_DDR"},      {0x26, "MODE4_DDR"},
        {0x27, "MODE8_DDR"},      {0x28, "WRITE_DDR"},      {0x29, "READ_DDR"},
        {0x2A, "LEARN_DDR"},      {0x2B, "DATSZ_DDR"},      {0x2C, "DUMMY_DDR"},
        {0x2D, "DUMMY_RWDS_DDR"},
    };
    for (const auto& [code, text] : kNames) {
        if (code == opcode)
            return text;
    }
    return {};
}

std::string describe_lut(std::uint16_t instruction) {
    const LutInstruction ins = decode_lut(instruction);
    const std::string_view op = lut_op_name(ins.opcode);
    const std::string op_text =
        op.empty() ? fmt::format("OP_0x{:02X}", ins.opcode) : std::string(op);
    return fmt::format("{} {}PAD 0x{:02X}", op_text, ins.pads, ins.operand);
}

std::vector<std::string> describe_lut_sequence(const Fcb& fcb, unsigned seq) {
    std::vector<std::string> out;
    if (seq >= 16)
        return out;
    for (unsigned i = 0; i < 8; ++i) {
        const std::uint32_t word = fcb.lookup_table[seq * 4 + i / 2];
        const auto ins = static_cast<std::uint16_t>(i % 2 == 0 ? word : word >> 16);
        if ((ins >> 10) == 0)
            break;  // STOP ends the sequence
        out.push_back(describe_lut(ins));
    }
    return out;
}

std::vector<std::pair<std::string, std::uint64_t>> fcb_fields(const Fcb& fcb) {
    Lister l;
    walk(fcb, l);
    return std::move(l.out);
}

void set_fcb_field(Fcb& fcb, std::string_view name, std::uint64_t value) {
    // Accept "base[i]" and SPSDK's json spelling "base_i" for array fields.
    std::string_view base = name;
    std::optional<std::uint64_t> index;
    if (!name.empty() && name.back() == ']') {
        const auto open = name.find('[');
        if (open == std::string_view::npos) {
            throw Error(ErrorCode::Usage, fmt::format("FCB field '{}': missing '['", name));
        }
        base = name.substr(0, open);
        index = parse_uint(name.substr(open + 1, name.size() - open - 2));
        if (!index) {
            throw Error(ErrorCode::Usage, fmt::format("FCB field '{}': bad index", name));
        }
    } else if (const auto us = name.rfind('_'); us != std::string_view::npos) {
        const auto it = std::find_if(catalog().begin(), catalog().end(), [&](const FieldInfo& f) {
            return f.count > 0 && f.name == name.substr(0, us);
        });
        if (it != catalog().end()) {
            base = name.substr(0, us);
            index = parse_uint(name.substr(us + 1));
            if (!index) {
                throw Error(ErrorCode::Usage, fmt::format("FCB field '{}': bad index", name));
            }
        }
    }

    const auto it = std::find_if(catalog().begin(), catalog().end(),
                                 [&](const FieldInfo& f) { return f.name == base; });
    if (it == catalog().end()) {
        const std::string close = close_names(base);
        throw Error(ErrorCode::Usage,
                    close.empty()
                        ? fmt::format("unknown FCB field '{}'", name)
                        : fmt::format("unknown FCB field '{}' (close names: {})", name, close));
    }
    const FieldInfo& field = *it;
    if (field.name == "tag" || field.name == "version") {
        throw Error(ErrorCode::Usage,
                    fmt::format("FCB field '{}' is fixed and cannot be set", field.name));
    }
    if (field.count == 0 && index) {
        throw Error(ErrorCode::Usage, fmt::format("FCB field '{}' is not an array", field.name));
    }
    if (field.count > 0 && !index) {
        throw Error(ErrorCode::Usage, fmt::format("FCB field '{}' is an array: use {}[0..{}]",
                                                  field.name, field.name, field.count - 1));
    }
    if (index && *index >= static_cast<std::uint64_t>(field.count)) {
        throw Error(ErrorCode::Usage, fmt::format("FCB field '{}' has {} entries; index {} is out "
                                                  "of range",
                                                  field.name, field.count, *index));
    }
    if (field.bits < 64 && value >> field.bits != 0) {
        throw Error(ErrorCode::Usage,
                    fmt::format("FCB field '{}' is {} bits wide; 0x{:X} does not fit", name,
                                field.bits, value));
    }
    Setter s{field.name, index ? static_cast<int>(*index) : -1, value};
    walk(fcb, s);
}

}  // namespace rtprov::boot
