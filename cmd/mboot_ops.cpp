// The operations of `rtprov mboot`: blhost's command names, argument forms and text output.

#include "mboot_ops.hpp"

#include <cctype>

#include <fmt/format.h>

#include "rtprov/proto/mboot_text.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::cli {

namespace {

namespace mboot = proto::mboot;

constexpr DeviceOp kOps[] = {
    {"get-property", "TAG [INDEX]", 1, 2, "Read a property (number or name, e.g. 1, 11, 0x19)"},
    {"set-property", "TAG VALUE", 2, 2, "Write a property"},
    {"list-memory", "", 0, 0, "List the internal flash, RAM and external memories"},
    {"read-memory", "ADDRESS COUNT [FILE] [MEMORY_ID]", 2, 4, "Read memory (to FILE or stdout)"},
    {"write-memory", "ADDRESS FILE[,COUNT]|{{HEX}} [MEMORY_ID]", 2, 3, "Write a file or hex bytes"},
    {"fill-memory", "ADDRESS COUNT PATTERN [word|short|byte]", 3, 4, "Fill memory with a pattern"},
    {"flash-erase-region", "ADDRESS COUNT [MEMORY_ID]", 2, 3, "Erase a flash region"},
    {"flash-erase-all", "[MEMORY_ID]", 0, 1, "Erase a whole flash memory"},
    {"configure-memory", "MEMORY_ID ADDRESS", 2, 2, "Apply the config block at ADDRESS (9 = NOR)"},
    {"efuse-read-once", "INDEX [COUNT]", 1, 2, "Read one fuse word"},
    {"efuse-program-once", "INDEX VALUE [nolock]", 2, 3,
     "Program one fuse word (irreversible); VALUE is hex, 0x optional, as in blhost"},
    {"flash-read-once", "INDEX BYTE_COUNT", 2, 2, "Read one fuse word (BYTE_COUNT 4)"},
    {"flash-program-once", "INDEX BYTE_COUNT VALUE [LSB|MSB]", 3, 4,
     "Program one fuse word (irreversible; BYTE_COUNT 4, VALUE hex as in blhost)"},
    {"flash-read-resource", "ADDRESS COUNT OPTION [FILE]", 3, 4,
     "Read a flash resource (Kinetis IFR 0, firmware id 1; RT10xx flashloaders refuse it)"},
    {"receive-sb-file", "FILE", 1, 1, "Send an SB file to the flashloader"},
    {"execute", "ADDRESS ARGUMENT STACKPOINTER", 3, 3, "Jump to code"},
    {"call", "ADDRESS ARGUMENT", 2, 2, "Call a function"},
    {"reset", "", 0, 0, "Reset the device"},
    {"generate-key-blob", "DEK_FILE BLOB_FILE [KEY_SEL]", 2, 3, "Wrap a DEK into a key blob"},
    {"batch", "FILE", 1, 1,
     "Run a file of blhost command lines (one per line, # comments) over one connection"},
};

constexpr const char* kNotRt =
    "this blhost command does not apply to i.MX RT10xx flashloaders (their MCUBoot has no such "
    "command)";
constexpr ForeignOp kForeign[] = {
    {"flash-security-disable", kNotRt},
    {"flash-erase-all-unsecure", kNotRt},
    {"reliable-update", kNotRt},
    {"load-image", kNotRt},
    {"fuse-program", kNotRt},
    {"fuse-read", kNotRt},
    {"key-provisioning", kNotRt},
    {"trust-provisioning", kNotRt},
    {"program-aeskey", kNotRt},
    {"ele-message", kNotRt},
    {"update-life-cycle", kNotRt},
    {"flash-image",
     "not available in rtprov mboot: write the image with write-memory (after flash-erase-region), "
     "or let rtprov write do all of it"},
};

// "{{11 22 33}}" or "{{112233}}" -> bytes; nullopt when not in braces.
std::optional<Bytes> parse_hex_braces(std::string_view s) {
    if (!s.starts_with("{{") || !s.ends_with("}}"))
        return std::nullopt;
    std::string digits;
    for (char c : s.substr(2, s.size() - 4))
        if (!std::isspace(static_cast<unsigned char>(c)))
            digits += c;
    if (digits.size() % 2 != 0)
        throw Error(ErrorCode::Usage, fmt::format("odd hex data '{}'", s));
    Bytes out;
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        auto v = parse_uint("0x" + digits.substr(i, 2));
        if (!v)
            throw Error(ErrorCode::Usage, fmt::format("bad hex data '{}'", s));
        out.push_back(static_cast<std::uint8_t>(*v));
    }
    return out;
}

// blhost reads efuse-program-once's VALUE as hex digits, "0x" optional: 12345678 is 0x12345678.
std::uint32_t parse_fuse_value(std::string_view s) {
    const bool prefixed = s.starts_with("0x") || s.starts_with("0X");
    return parse_u32(prefixed ? std::string(s) : "0x" + std::string(s), "value");
}

// blhost's hex dump: lowercase bytes, 16 per line.
std::string hex_lines(ByteView data) {
    std::string hex;
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (i > 0)
            hex += (i % 16 == 0) ? "\n" : " ";
        hex += fmt::format("{:02x}", data[i]);
    }
    return hex;
}

// blhost's lines after a successful command: the status, then one line per response word.
void print_response(Output& out, const std::vector<std::uint32_t>& words) {
    out.text("Response status = 0 (0x0) Success.");
    for (std::size_t i = 0; i < words.size(); ++i)
        out.text("Response word {} = {} (0x{:x})", i + 1, words[i], words[i]);
}

class OpRun {
  public:
    OpRun(std::span<const std::string> args, proto::McuBootClient& mb, Output& out,
          nlohmann::json& doc)
        : a_(args), mb_(mb), out_(out), doc_(doc) {}

    std::uint32_t arg(std::size_t i, std::string_view what) const { return parse_u32(a_[i], what); }
    std::uint32_t opt(std::size_t i, std::string_view what, std::uint32_t dflt) const {
        return a_.size() > i ? arg(i, what) : dflt;
    }
    std::uint8_t property(std::size_t i) const {
        const auto tag = mboot::parse_property(a_[i]);
        if (!tag)
            throw Error(ErrorCode::Usage, fmt::format("unknown property '{}'", a_[i]));
        return *tag;
    }
    // The optional FILE at `i` ("-" = stdout), for read-memory / flash-read-resource.
    void deliver(const Bytes& data, std::size_t i, std::uint32_t asked) {
        doc_["bytes"] = data.size();
        if (a_.size() > i && a_[i] != "-") {
            write_file_atomic(a_[i], data);
        } else {
            doc_["data"] = data;
            out_.text("{}", hex_lines(data));
        }
        print_response(out_, {static_cast<std::uint32_t>(data.size())});
        out_.text("Read {} of {} bytes.", data.size(), asked);
    }
    void fuse_read(std::uint32_t index, std::uint32_t count) {
        if (count != 4) {
            throw Error(ErrorCode::Usage,
                        fmt::format("byte count {}: RT10xx fuse words are 4 bytes", count));
        }
        const std::uint32_t v = mb_.efuse_read_once(index, count);
        doc_["value"] = v;
        print_response(out_, {4, v});
    }
    void run(std::string_view n);

  private:
    std::span<const std::string> a_;
    proto::McuBootClient& mb_;
    Output& out_;
    nlohmann::json& doc_;
};

void OpRun::run(std::string_view n) {
    if (n == "get-property") {
        const std::uint8_t tag = property(0);
        const auto values = mb_.get_property(tag, opt(1, "index", 0));
        doc_["property"] = mboot::property_name(tag);
        doc_["values"] = values;
        print_response(out_, values);
        for (const auto& line : mboot::property_text(tag, values))
            out_.text("{}", line);
    } else if (n == "set-property") {
        mb_.set_property(property(0), arg(1, "value"));
        print_response(out_, {});
    } else if (n == "list-memory") {
        const auto lines = mboot::list_memories(mb_);
        doc_["lines"] = lines;
        for (const auto& line : lines)
            out_.text("{}", line);
    } else if (n == "read-memory") {
        const std::uint32_t count = arg(1, "count");
        deliver(mb_.read_memory(arg(0, "address"), count, opt(3, "memory id", 0)), 2, count);
    } else if (n == "flash-read-resource") {
        const std::uint32_t count = arg(1, "count");
        const std::uint32_t option = arg(2, "option");
        if (option > 1)
            throw Error(ErrorCode::Usage, fmt::format("option {}: expected 0 or 1", option));
        deliver(mb_.flash_read_resource(arg(0, "address"), count, option), 3, count);
    } else if (n == "write-memory") {
        Bytes data;
        if (auto hex = parse_hex_braces(a_[1])) {
            data = *hex;
        } else {
            std::string path = a_[1];
            std::optional<std::uint32_t> count;
            if (auto comma = path.rfind(','); comma != std::string::npos) {
                count = parse_u32(path.substr(comma + 1), "byte count");
                path.resize(comma);
            }
            data = read_file(path);
            if (count && *count < data.size())
                data.resize(*count);
        }
        mb_.write_memory(arg(0, "address"), data, opt(2, "memory id", 0));
        doc_["bytes"] = data.size();
        print_response(out_, {static_cast<std::uint32_t>(data.size())});
    } else if (n == "fill-memory") {
        std::uint32_t pattern = arg(2, "pattern");
        const std::string unit = a_.size() > 3 ? a_[3] : "word";
        if (unit == "byte") {
            pattern = (pattern & 0xFF) * 0x01010101u;
        } else if (unit == "short") {
            pattern = (pattern & 0xFFFF) * 0x00010001u;
        } else if (unit != "word") {
            throw Error(ErrorCode::Usage,
                        fmt::format("unit '{}', expected word, short or byte", unit));
        }
        mb_.fill_memory(arg(0, "address"), arg(1, "count"), pattern);
        print_response(out_, {});
    } else if (n == "efuse-read-once") {
        fuse_read(arg(0, "index"), opt(1, "count", 4));
    } else if (n == "flash-read-once") {
        fuse_read(arg(0, "index"), arg(1, "byte count"));
    } else if (n == "efuse-program-once" || n == "flash-program-once") {
        const bool flash_form = n == "flash-program-once";
        const std::size_t value_at = flash_form ? 2 : 1;
        if (flash_form && arg(1, "byte count") != 4) {
            throw Error(ErrorCode::Usage,
                        fmt::format("byte count {}: RT10xx fuse words are 4 bytes", a_[1]));
        }
        std::uint32_t value = parse_fuse_value(a_[value_at]);
        const std::string extra = a_.size() > value_at + 1 ? a_[value_at + 1] : "";
        if (flash_form && (extra == "MSB" || extra == "msb")) {
            value =
                (value >> 24) | ((value >> 8) & 0xFF00) | ((value << 8) & 0xFF0000) | (value << 24);
        } else if (!extra.empty() && extra != (flash_form ? "LSB" : "nolock") &&
                   !(flash_form && extra == "lsb")) {
            throw Error(ErrorCode::Usage, fmt::format("{}: '{}', expected {}", n, extra,
                                                      flash_form ? "LSB or MSB" : "nolock"));
        }
        mb_.efuse_program_once(arg(0, "index"), value);
        print_response(out_, {});
    } else if (n == "flash-erase-region") {
        mb_.flash_erase_region(arg(0, "address"), arg(1, "count"), opt(2, "memory id", 0));
        print_response(out_, {});
    } else if (n == "flash-erase-all") {
        mb_.flash_erase_all(opt(0, "memory id", 0));
        print_response(out_, {});
    } else if (n == "configure-memory") {
        mb_.configure_memory(arg(0, "memory id"), arg(1, "address"));
        print_response(out_, {});
    } else if (n == "receive-sb-file") {
        const Bytes sb = read_file(a_[0]);
        mb_.receive_sb_file(sb);
        doc_["bytes"] = sb.size();
        print_response(out_, {});
    } else if (n == "execute") {
        mb_.execute(arg(0, "address"), arg(1, "argument"), arg(2, "stack pointer"));
        print_response(out_, {});
    } else if (n == "call") {
        mb_.call(arg(0, "address"), arg(1, "argument"));
        print_response(out_, {});
    } else if (n == "reset") {
        mb_.reset();
        print_response(out_, {});
    } else if (n == "generate-key-blob") {
        const Bytes blob = mb_.generate_key_blob(read_file(a_[0]), opt(2, "key selector", 0));
        write_file_atomic(a_[1], blob);
        doc_["bytes"] = blob.size();
        print_response(out_, {});
    } else {
        throw Error(ErrorCode::Internal, fmt::format("mboot: no handler for '{}'", n));
    }
}

}  // namespace

std::span<const DeviceOp> mboot_ops() {
    return kOps;
}

std::span<const ForeignOp> mboot_foreign_ops() {
    return kForeign;
}

void run_mboot_op(const DeviceOp& op, std::span<const std::string> args, proto::McuBootClient& mb,
                  Output& out, nlohmann::json& doc) {
    doc["command"] = op.name;
    OpRun(args, mb, out, doc).run(op.name);
    doc["status"] = 0;
}

}  // namespace rtprov::cli
