// DCD text form as NXP's SPSDK reads and writes it (spsdk/image/hab/segments/seg_dcd.py,
// SegDcdBuilder and SegDCD.export_txt). Differences from SPSDK, all on the strict side: unknown
// commands and extra arguments are errors instead of being ignored, '#' also starts a comment in
// the middle of a line, and a Check Data count of 0 is written out (SPSDK drops it, which would
// turn a 16-byte command into a 12-byte one).
#include <fmt/format.h>

#include <array>

#include "rtprov/boot/dcd.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::boot {
namespace {

constexpr std::array<std::string_view, 4> kWriteNames = {"WriteValue", "WriteClearBits",
                                                         "ClearBitMask", "SetBitMask"};
constexpr std::array<std::string_view, 4> kCheckNames = {"CheckAllClear", "CheckAllSet",
                                                         "CheckAnyClear", "CheckAnySet"};

std::vector<std::string_view> split_words(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t')
            ++i;
        if (i > start)
            words.push_back(line.substr(start, i - start));
    }
    return words;
}

int index_of(const std::array<std::string_view, 4>& names, std::string_view word) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == word)
            return static_cast<int>(i);
    }
    return -1;
}

class TextParser {
  public:
    explicit TextParser(std::string_view name) : name_(name) {}

    // Handles one complete command (continuations already joined) that started on `line`.
    void command(const std::vector<std::string_view>& words, std::size_t line) {
        line_ = line;
        const std::string_view cmd = words[0];
        const std::size_t args = words.size() - 1;
        if (const int op = index_of(kWriteNames, cmd); op >= 0) {
            if (args != 3) {
                fail(fmt::format("{} takes 3 arguments (width address value), got {}", cmd, args));
            }
            const std::uint8_t width = parse_width(words[1]);
            const DcdWriteEntry entry{number(words[2], "address"), number(words[3], "value")};
            // SPSDK keeps one open Write Data command and extends it while operation and width
            // stay the same; anything else closes it.
            if (pending_ &&
                (pending_->width != width || pending_->op != static_cast<DcdWriteOp>(op))) {
                flush();
            }
            if (!pending_)
                pending_ = DcdWrite{width, static_cast<DcdWriteOp>(op), {}};
            pending_->entries.push_back(entry);
            return;
        }
        flush();
        if (const int op = index_of(kCheckNames, cmd); op >= 0) {
            if (args != 3 && args != 4) {
                fail(fmt::format("{} takes 3 or 4 arguments (width address mask [count]), got {}",
                                 cmd, args));
            }
            DcdCheck c{parse_width(words[1]), static_cast<DcdCheckOp>(op),
                       number(words[2], "address"), number(words[3], "mask"), std::nullopt};
            if (args == 4)
                c.count = number(words[4], "count");
            dcd_.commands.emplace_back(c);
        } else if (cmd == "Nop") {
            if (args != 0)
                fail(fmt::format("Nop takes no arguments, got {}", args));
            dcd_.commands.emplace_back(DcdNop{});
        } else if (cmd == "Unlock") {
            if (args < 2) {
                fail(
                    fmt::format("Unlock takes an engine and at least one value, got {} "
                                "argument{}",
                                args, args == 1 ? "" : "s"));
            }
            DcdUnlock u{engine(words[1]), {}};
            for (std::size_t i = 2; i < words.size(); ++i) {
                u.values.push_back(number(words[i], "value"));
            }
            dcd_.commands.emplace_back(std::move(u));
        } else {
            fail(fmt::format("unknown DCD command '{}'", cmd));
        }
    }

    Dcd finish() {
        flush();
        return std::move(dcd_);
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorCode::BadInput, fmt::format("{}:{}: {}", name_, line_, what));
    }

    void set_line(std::size_t line) { line_ = line; }

  private:
    void flush() {
        if (pending_)
            dcd_.commands.emplace_back(std::move(*pending_));
        pending_.reset();
    }

    std::uint32_t number(std::string_view word, std::string_view what) const {
        const auto v = parse_uint(word);
        if (!v)
            fail(fmt::format("{} '{}' is not a number", what, word));
        if (*v > UINT32_MAX)
            fail(fmt::format("{} {} does not fit in 32 bits", what, word));
        return static_cast<std::uint32_t>(*v);
    }

    std::uint8_t parse_width(std::string_view word) const {
        const auto v = parse_uint(word);
        if (!v || (*v != 1 && *v != 2 && *v != 4)) {
            fail(fmt::format("width '{}' is not 1, 2 or 4", word));
        }
        return static_cast<std::uint8_t>(*v);
    }

    std::uint8_t engine(std::string_view word) const {
        for (unsigned id = 0; id < 256; ++id) {
            if (dcd_engine_name(static_cast<std::uint8_t>(id)) == word) {
                return static_cast<std::uint8_t>(id);
            }
        }
        if (const auto v = parse_uint(word); v && *v <= 0xFF)
            return static_cast<std::uint8_t>(*v);
        fail(
            fmt::format("unknown Unlock engine '{}' (known: ANY, SCC, RTIC, SAHARA, CSU, SRTC, "
                        "DCP, CAAM, SNVS, OCOTP, DTCP, HDCP, ROM, SW, or a number 0..0xFF)",
                        word));
    }

    std::string_view name_;
    std::size_t line_ = 0;
    Dcd dcd_;
    std::optional<DcdWrite> pending_;
};

}  // namespace

Dcd parse_dcd_text(std::string_view text, std::string_view name) {
    TextParser parser(name);
    std::vector<std::string_view> words;
    std::size_t start_line = 0;
    bool continued = false;
    std::size_t line_no = 0;
    while (!text.empty() || continued) {
        if (text.empty()) {
            parser.set_line(line_no);
            parser.fail("line continuation '\\' at the end of the text");
        }
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (const auto hash = line.find('#'); hash != std::string_view::npos) {
            line = line.substr(0, hash);
        }
        while (!line.empty() && (line.back() == '\r' || line.back() == '\0'))
            line.remove_suffix(1);
        auto more = split_words(line);
        if (more.empty())
            continue;
        if (!continued) {
            words.clear();
            start_line = line_no;
        }
        continued = false;
        if (more.back() == "\\") {
            more.pop_back();
            continued = true;
        } else if (more.back().back() == '\\') {
            more.back().remove_suffix(1);
            continued = true;
        }
        words.insert(words.end(), more.begin(), more.end());
        if (!continued && !words.empty())
            parser.command(words, start_line);
    }
    return parser.finish();
}

std::string dcd_to_text(const Dcd& dcd) {
    std::string out;
    for (const DcdCommand& cmd : dcd.commands) {
        if (const auto* w = std::get_if<DcdWrite>(&cmd)) {
            for (const auto& e : w->entries) {
                out += fmt::format("{} {} 0x{:08X} 0x{:08X}\n", dcd_write_op_name(w->op), w->width,
                                   e.address, e.value);
            }
        } else if (const auto* c = std::get_if<DcdCheck>(&cmd)) {
            out += fmt::format("{} {} 0x{:08X} 0x{:08X}", dcd_check_op_name(c->op), c->width,
                               c->address, c->mask);
            out += c->count ? fmt::format(" {}\n", *c->count) : "\n";
        } else if (const auto* u = std::get_if<DcdUnlock>(&cmd)) {
            // SPSDK's line breaking: six values on the first line, then seven per line.
            out += fmt::format("Unlock {}", dcd_engine_name(u->engine));
            int on_line = 1;
            for (std::uint32_t v : u->values) {
                if (on_line > 6) {
                    out += " \\\n";
                    on_line = 0;
                }
                out += fmt::format(" 0x{:08X}", v);
                ++on_line;
            }
            out += "\n";
        } else {
            out += "Nop\n";
        }
        out += "\n";
    }
    return out;
}

}  // namespace rtprov::boot
