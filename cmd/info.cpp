// rtprov info: parse a bootable image back into its parts.

#include <fmt/format.h>

#include "command.hpp"
#include "image_json.hpp"
#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::cli {

namespace {

// FCB fields in block order; zero fields and LUT words are left out, the LUT sequences are decoded.
void print_fcb(Output& out, const boot::Fcb& fcb, std::uint32_t offset) {
    out.text("FCB (FlexSPI NOR config block) at offset 0x{:X}:", offset);
    for (const auto& [name, value] : boot::fcb_fields(fcb)) {
        if (value != 0 && name.rfind("lookupTable", 0) != 0)
            out.text("  {:<24} 0x{:X}", name, value);
    }
    for (unsigned seq = 0; seq < 16; ++seq) {
        const auto instructions = boot::describe_lut_sequence(fcb, seq);
        if (instructions.empty())
            continue;
        std::string line;
        for (const auto& i : instructions)
            line += (line.empty() ? "" : "; ") + i;
        out.text("  LUT sequence {:<2}           {}", seq, line);
    }
}

class InfoCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.add_option("image", image_, "Bootable image (with or without the area before the IVT)")
            ->required();
        app.footer(
            "Finds the IVT at offset 0x1000, 0x400 or 0, then follows its pointers.\n"
            "With --json every number is a plain integer.");
    }

    int run(Output& out) override {
        const Bytes file = read_file(image_);
        const boot::ParsedImage p = boot::parse_boot_image(file, image_);
        const nlohmann::json doc = parsed_image_json(p, file);
        if (out.json()) {
            out.result(doc);
            return 0;
        }
        out.text("{}: {} bytes, file starts at 0x{:08X}", image_, file.size(), p.file_address);
        if (p.fcb)
            print_fcb(out, boot::parse_fcb(*p.fcb, image_), p.fcb_file_offset);
        out.text("IVT at offset 0x{:X} (version 0x{:02X}):", p.ivt_file_offset, p.ivt.version);
        out.text("  self       0x{:08X}", p.ivt.self);
        out.text("  entry      0x{:08X}", p.ivt.entry);
        out.text("  boot data  0x{:08X}", p.ivt.boot_data);
        out.text("  DCD        0x{:08X}{}", p.ivt.dcd, p.ivt.dcd ? "" : " (none)");
        out.text("  CSF        0x{:08X}{}", p.ivt.csf, p.ivt.csf ? "" : " (unsigned)");
        out.text("Boot data: start 0x{:08X}, length 0x{:X} ({} bytes), plugin {}",
                 p.boot_data.start, p.boot_data.length, p.boot_data.length, p.boot_data.plugin);
        if (!p.boot_data_covers_file) {
            out.warning("the boot data length ends before the end of the file");
        }
        if (doc["dcd"].is_object()) {
            out.text("DCD at 0x{:08X}, {} bytes:", p.ivt.dcd, p.dcd_size);
            out.text("{}", doc["dcd"]["text"].get<std::string>());
        }
        if (p.app_file_offset) {
            out.text("App at 0x{:08X} (file offset 0x{:X}), {} bytes", p.app_address,
                     *p.app_file_offset, p.app_size);
        } else {
            out.text("App: no vector table found whose reset vector is the IVT entry");
        }
        if (p.ivt.csf != 0) {
            if (p.csf_file_offset) {
                out.text("CSF at 0x{:08X} (file offset 0x{:X}), {} bytes in the file", p.ivt.csf,
                         *p.csf_file_offset, p.csf_size);
            } else {
                out.text("CSF at 0x{:08X}: not in this file", p.ivt.csf);
            }
        }
        return 0;
    }

  private:
    std::string image_;
};

}  // namespace

std::unique_ptr<Command> make_info_command() {
    return std::make_unique<InfoCommand>();
}

}  // namespace rtprov::cli
