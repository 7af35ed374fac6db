// rtprov mboot: talk to the MCUBoot flashloader with blhost's command names and argument forms.

#include <fmt/format.h>

#include "command.hpp"
#include "device_ops.hpp"
#include "rtprov/proto/mboot_client.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::cli {

namespace {

constexpr DeviceOp kOps[] = {
    {"get-property", "TAG [INDEX]", 1, 2, "Read a property (number or name, e.g. 1, 11, 0x19)"},
    {"set-property", "TAG VALUE", 2, 2, "Write a property"},
    {"read-memory", "ADDRESS COUNT [FILE] [MEMORY_ID]", 2, 4, "Read memory (to FILE or stdout)"},
    {"write-memory", "ADDRESS FILE[,COUNT]|{{HEX}} [MEMORY_ID]", 2, 3, "Write a file or hex bytes"},
    {"fill-memory", "ADDRESS COUNT PATTERN [word|short|byte]", 3, 4, "Fill memory with a pattern"},
    {"flash-erase-region", "ADDRESS COUNT [MEMORY_ID]", 2, 3, "Erase a flash region"},
    {"flash-erase-all", "[MEMORY_ID]", 0, 1, "Erase a whole flash memory"},
    {"configure-memory", "MEMORY_ID ADDRESS", 2, 2, "Apply the config block at ADDRESS (9 = NOR)"},
    {"efuse-read-once", "INDEX [COUNT]", 1, 2, "Read one fuse word"},
    {"efuse-program-once", "INDEX VALUE [nolock]", 2, 3,
     "Program one fuse word (irreversible); VALUE is hex, 0x optional, as in blhost"},
    {"receive-sb-file", "FILE", 1, 1, "Send an SB file to the flashloader"},
    {"execute", "ADDRESS ARGUMENT STACKPOINTER", 3, 3, "Jump to code"},
    {"call", "ADDRESS ARGUMENT", 2, 2, "Call a function"},
    {"reset", "", 0, 0, "Reset the device"},
    {"generate-key-blob", "DEK_FILE BLOB_FILE [KEY_SEL]", 2, 3, "Wrap a DEK into a key blob"},
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

class MbootCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        options_.setup(app, kOps,
                       "Example: rtprov mboot -p usb:15a2:0073 fill-memory 0x2000 4 0xc0000007");
    }

    int run(Output& out) override {
        const DeviceOp* op = &options_.parsed("mboot");
        auto transport = transport::open_transport(options_.port);
        proto::McuBootClient mb(*transport, std::chrono::milliseconds(options_.timeout_ms));
        mb.set_progress([&](std::uint64_t done, std::uint64_t total) {
            out.detail("{} / {} bytes", done, total);
        });
        nlohmann::json doc = {{"command", op->name}, {"port", transport->describe()}};
        with_context(fmt::format("mboot {}", op->name), [&] { execute(*op, mb, out, doc); });
        doc["status"] = 0;
        if (out.json())
            out.result(doc);
        return 0;
    }

  private:
    std::uint32_t arg(std::size_t i, std::string_view what) const {
        return parse_u32(options_.args.at(i), what);
    }
    std::uint32_t opt(std::size_t i, std::string_view what, std::uint32_t dflt) const {
        return options_.args.size() > i ? arg(i, what) : dflt;
    }

    void execute(const DeviceOp& op, proto::McuBootClient& mb, Output& out, nlohmann::json& doc) {
        namespace mboot = proto::mboot;
        const std::string_view n = op.name;
        if (n == "get-property") {
            const auto tag = mboot::parse_property(options_.args[0]);
            if (!tag)
                throw Error(ErrorCode::Usage,
                            fmt::format("unknown property '{}'", options_.args[0]));
            const auto values = mb.get_property(*tag, opt(1, "index", 0));
            doc["property"] = mboot::property_name(*tag);
            doc["values"] = values;
            out.text("Response status = 0 (0x0) Success.");
            for (std::size_t i = 0; i < values.size(); ++i)
                out.text("Response word {} = {} (0x{:x})", i + 1, values[i], values[i]);
            if (*tag == 1 && !values.empty())
                out.text("Current Version = {}", mboot::version_string(values[0]));
        } else if (n == "set-property") {
            const auto tag = mboot::parse_property(options_.args[0]);
            if (!tag)
                throw Error(ErrorCode::Usage,
                            fmt::format("unknown property '{}'", options_.args[0]));
            mb.set_property(*tag, arg(1, "value"));
        } else if (n == "read-memory") {
            const Bytes data =
                mb.read_memory(arg(0, "address"), arg(1, "count"), opt(3, "memory id", 0));
            doc["bytes"] = data.size();
            if (options_.args.size() > 2 && options_.args[2] != "-") {
                write_file_atomic(options_.args[2], data);
            } else {
                doc["data"] = data;
                std::string hex;
                for (std::size_t i = 0; i < data.size(); ++i)
                    hex += fmt::format("{:02x}{}", data[i], (i % 16 == 15) ? "\n" : " ");
                out.text("{}", hex);
            }
        } else if (n == "write-memory") {
            Bytes data;
            if (auto hex = parse_hex_braces(options_.args[1])) {
                data = *hex;
            } else {
                std::string path = options_.args[1];
                std::optional<std::uint32_t> count;
                if (auto comma = path.rfind(','); comma != std::string::npos) {
                    count = parse_u32(path.substr(comma + 1), "byte count");
                    path.resize(comma);
                }
                data = read_file(path);
                if (count && *count < data.size())
                    data.resize(*count);
            }
            mb.write_memory(arg(0, "address"), data, opt(2, "memory id", 0));
            doc["bytes"] = data.size();
            out.text("Wrote {} of {} bytes.", data.size(), data.size());
        } else if (n == "fill-memory") {
            std::uint32_t pattern = arg(2, "pattern");
            const std::string unit = options_.args.size() > 3 ? options_.args[3] : "word";
            if (unit == "byte") {
                pattern = (pattern & 0xFF) * 0x01010101u;
            } else if (unit == "short") {
                pattern = (pattern & 0xFFFF) * 0x00010001u;
            } else if (unit != "word") {
                throw Error(ErrorCode::Usage,
                            fmt::format("unit '{}', expected word, short or byte", unit));
            }
            mb.fill_memory(arg(0, "address"), arg(1, "count"), pattern);
        } else if (n == "flash-erase-region") {
            mb.flash_erase_region(arg(0, "address"), arg(1, "count"), opt(2, "memory id", 0));
        } else if (n == "flash-erase-all") {
            mb.flash_erase_all(opt(0, "memory id", 0));
        } else if (n == "configure-memory") {
            mb.configure_memory(arg(0, "memory id"), arg(1, "address"));
        } else if (n == "efuse-read-once") {
            const std::uint32_t v = mb.efuse_read_once(arg(0, "index"), opt(1, "count", 4));
            doc["value"] = v;
            out.text("Response word 1 = 4 (0x4)\nResponse word 2 = {} (0x{:x})", v, v);
        } else if (n == "efuse-program-once") {
            if (options_.args.size() > 2 && options_.args[2] != "nolock") {
                throw Error(ErrorCode::Usage, "efuse-program-once: only 'nolock' is supported");
            }
            mb.efuse_program_once(arg(0, "index"), parse_fuse_value(options_.args[1]));
        } else if (n == "receive-sb-file") {
            const Bytes sb = read_file(options_.args[0]);
            mb.receive_sb_file(sb);
            doc["bytes"] = sb.size();
        } else if (n == "execute") {
            mb.execute(arg(0, "address"), arg(1, "argument"), arg(2, "stack pointer"));
        } else if (n == "call") {
            mb.call(arg(0, "address"), arg(1, "argument"));
        } else if (n == "reset") {
            mb.reset();
        } else if (n == "generate-key-blob") {
            const Bytes blob =
                mb.generate_key_blob(read_file(options_.args[0]), opt(2, "key selector", 0));
            write_file_atomic(options_.args[1], blob);
            doc["bytes"] = blob.size();
        }
        if (n != "get-property" && n != "efuse-read-once" && n != "read-memory")
            out.text("Response status = 0 (0x0) Success.");
    }

    DeviceOpOptions options_;
};

}  // namespace

std::unique_ptr<Command> make_mboot_command() {
    return std::make_unique<MbootCommand>();
}

}  // namespace rtprov::cli
