// rtprov sb: SB 1.x files for the flashloader's receive-sb-file: `build` one from a command file,
// `info` lists one (as `rtprov info FILE.sb` does).

#include <fmt/format.h>

#include "cli_errors.hpp"
#include "command.hpp"
#include "rtprov/project/sb_commands.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"
#include "sb_display.hpp"

namespace rtprov::cli {

namespace {

template <std::size_t N>
void set_padding(const std::string& hex, std::string_view option,
                 std::array<std::uint8_t, N>& out) {
    const Bytes b = parse_hex(hex, option);
    if (b.size() != N) {
        throw Error(ErrorCode::Usage,
                    fmt::format("{} '{}': {} bytes, expected {}", option, hex, b.size(), N));
    }
    std::copy(b.begin(), b.end(), out.begin());
}

class SbCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.require_subcommand(1);
        build_ = app.add_subcommand("build", "Build an SB 1.x file from a command file (YAML)");
        build_->add_option("commands", commands_, "Command file: sections and their commands")
            ->required()
            ->check(existing_file());
        build_->add_option("-o,--output", output_, "The SB file (written atomically)")->required();
        build_->add_option("--timestamp", timestamp_,
                           "Creation time, UTC (2020-04-24T15:33:32Z); overrides the file's; "
                           "default now");
        build_->add_option("--header-padding", header_padding_,
                           "8 hex bytes for the header's padding (default: the file's, or zeros)");
        build_->add_option("--trailer-padding", trailer_padding_,
                           "12 hex bytes after the final SHA-1 (default: the file's, or zeros)");
        build_->footer(
            "Commands: fill, enable, erase, load, jump, call, prog, mode, reset, nop (see\n"
            "README.md, \"rtprov sb\"). Send the file with `rtprov mboot ... receive-sb-file`.\n"
            "Timestamp and padding bytes change the bytes only: fix them for reproducible files.");
        info_ = app.add_subcommand("info", "List an SB 1.x file: header, sections, commands");
        info_->add_option("file", file_, "SB file")->required();
    }

    int run(Output& out) override {
        if (info_->parsed()) {
            const Bytes data = read_file(file_);
            const sb::SbFile f = sb::parse(data, file_);
            out.result(sb_json(f, data.size()));
            print_sb(out, f, data.size(), file_);
            return 0;
        }
        sb::SbFile f = project::load_sb_commands(commands_, project::sb_now());
        if (!timestamp_.empty())
            f.timestamp = sb::parse_timestamp(timestamp_, "--timestamp");
        if (!header_padding_.empty())
            set_padding(header_padding_, "--header-padding", f.header_padding);
        if (!trailer_padding_.empty())
            set_padding(trailer_padding_, "--trailer-padding", f.trailer_padding);
        const Bytes data = with_context(commands_, [&] { return sb::serialize(f); });
        write_file_atomic(output_, data);
        std::size_t commands = 0;
        for (const auto& s : f.sections)
            commands += s.commands.size();
        out.text("wrote {} ({} bytes): {} section{}, {} commands, timestamp {}", output_,
                 data.size(), f.sections.size(), f.sections.size() == 1 ? "" : "s", commands,
                 sb::timestamp_text(f.timestamp));
        nlohmann::json doc = sb_json(sb::parse(data, output_), data.size());
        doc["output"] = output_;
        out.result(doc);
        return 0;
    }

  private:
    CLI::App* build_ = nullptr;
    CLI::App* info_ = nullptr;
    std::string commands_, output_, timestamp_, header_padding_, trailer_padding_, file_;
};

}  // namespace

std::unique_ptr<Command> make_sb_command() {
    return std::make_unique<SbCommand>();
}

}  // namespace rtprov::cli
