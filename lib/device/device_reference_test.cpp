// Cross-checks the compiled-in table against SPSDK's device database in
// $RTPROV_VECTORS/../reference/spsdk-devices (skipped when that folder is absent). No YAML/JSON
// library is linked to the device domain, so the files are read with small line scanners that
// fit SPSDK's formatting.

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rtprov/device/device.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"
#include "test_support.hpp"

namespace rtprov::device {
namespace {

namespace fs = std::filesystem;

using FlatYaml = std::map<std::string, std::string>;

std::optional<fs::path> reference_dir() {
    const auto vectors = test::vectors_dir();
    if (!vectors)
        return std::nullopt;
    const fs::path dir = *vectors / ".." / "reference" / "spsdk-devices";
    if (!fs::is_directory(dir))
        return std::nullopt;
    return dir;
}

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos)
        return "";
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

std::string unquote(std::string s) {
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
        return s.substr(1, s.size() - 2);
    }
    return s;
}

// Flattens block mappings into "info.memory_map.itcm.start_int" -> "0x0". List items ("- vid: x")
// are flattened without an index: SPSDK's RT10xx lists hold one item.
FlatYaml flatten_yaml(const std::string& text) {
    FlatYaml out;
    std::vector<std::pair<std::size_t, std::string>> stack;  // (indent, key)
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string::npos)
            eol = text.size();
        std::string line = text.substr(pos, eol - pos);
        pos = eol + 1;
        if (const auto hash = line.find(" #"); hash != std::string::npos)
            line.erase(hash);
        std::size_t indent = line.find_first_not_of(' ');
        if (indent == std::string::npos || line[indent] == '#')
            continue;
        if (line.compare(indent, 2, "- ") == 0) {
            line[indent] = ' ';
            indent = line.find_first_not_of(' ');
        }
        const auto colon = line.find(':', indent);
        if (colon == std::string::npos)
            continue;
        const std::string key = trim(line.substr(indent, colon - indent));
        const std::string value = unquote(trim(line.substr(colon + 1)));
        while (!stack.empty() && stack.back().first >= indent)
            stack.pop_back();
        std::string path;
        for (const auto& [level, k] : stack)
            path += k + ".";
        if (value.empty()) {
            stack.emplace_back(indent, key);
        } else {
            out[path + key] = value;
        }
    }
    return out;
}

// The part's database with its alias chain resolved: the child's keys override the parent's.
FlatYaml load_database(const fs::path& dir, const std::string& part, int depth = 0) {
    if (depth > 4)
        ADD_FAILURE() << "alias loop at " << part;
    FlatYaml own = flatten_yaml(read_text_file(dir / part / "database.yaml"));
    FlatYaml merged;
    if (auto alias = own.find("alias"); alias != own.end() && depth <= 4) {
        merged = load_database(dir, alias->second, depth + 1);
    }
    for (auto& [k, v] : own)
        merged[k] = v;
    merged.erase("alias");
    return merged;
}

// The part whose fuses.json applies: the part itself or the nearest alias parent that has one.
fs::path fuses_json(const fs::path& dir, std::string part) {
    for (int i = 0; i < 5; ++i) {
        if (fs::exists(dir / part / "fuses.json"))
            return dir / part / "fuses.json";
        const FlatYaml own = flatten_yaml(read_text_file(dir / part / "database.yaml"));
        const auto alias = own.find("alias");
        if (alias == own.end())
            break;
        part = alias->second;
    }
    return {};
}

std::uint64_t number(const FlatYaml& db, const std::string& key) {
    const auto it = db.find(key);
    if (it == db.end()) {
        ADD_FAILURE() << "missing " << key;
        return 0;
    }
    const auto v = parse_uint(it->second);
    if (!v)
        ADD_FAILURE() << key << ": not a number: " << it->second;
    return v.value_or(0);
}

// Regions this table knowingly does not take from SPSDK (see devices_data.cpp).
bool known_memory_deviation(std::string_view part, std::string_view region) {
    return part == "mimxrt1060" && (region == "flexspi1" || region == "flexspi2");
}

TEST(Reference, MemoryMapsMatch) {
    const auto dir = reference_dir();
    if (!dir)
        GTEST_SKIP() << "no reference/spsdk-devices beside $RTPROV_VECTORS";
    for (const auto& dev : all_devices()) {
        const FlatYaml db = load_database(*dir, std::string(dev.name));
        const std::string prefix = "info.memory_map.";
        std::set<std::string> ref_regions;
        for (const auto& [key, value] : db) {
            if (!key.starts_with(prefix) || !key.ends_with(".start_int"))
                continue;
            const std::string region = key.substr(prefix.size(), key.size() - prefix.size() - 10);
            if (region.find('.') != std::string::npos)
                continue;  // warning_ranges
            ref_regions.insert(region);
            if (known_memory_deviation(dev.name, region))
                continue;
            const MemoryRegion* ours = nullptr;
            for (const auto& r : dev.memory) {
                if (r.name == region)
                    ours = &r;
            }
            ASSERT_NE(ours, nullptr) << dev.name << " lacks " << region;
            const std::string base = prefix + region + ".";
            EXPECT_EQ(ours->start, number(db, base + "start_int")) << dev.name << " " << region;
            EXPECT_EQ(ours->size, number(db, base + "size_int")) << dev.name << " " << region;
            EXPECT_EQ(ours->external ? "true" : "false", db.at(base + "external"))
                << dev.name << " " << region;
            EXPECT_EQ(ours->xip, db.at(base + "non_xip_type") == "none")
                << dev.name << " " << region;
        }
        for (const auto& r : dev.memory) {
            if (known_memory_deviation(dev.name, r.name))
                continue;
            EXPECT_TRUE(ref_regions.contains(std::string(r.name)))
                << dev.name << ": " << r.name << " is not in SPSDK's map";
        }
    }
}

TEST(Reference, Rt1060UsesTheRt1064FlexspiMap) {
    const auto dir = reference_dir();
    if (!dir)
        GTEST_SKIP() << "no reference/spsdk-devices beside $RTPROV_VECTORS";
    const FlatYaml rt1064 = load_database(*dir, "mimxrt1064");
    const MemoryRegion* ours = find_device("mimxrt1060").region_of(0x70000000);
    ASSERT_NE(ours, nullptr);
    EXPECT_EQ(ours->start, number(rt1064, "info.memory_map.flexspi2.start_int"));
    EXPECT_EQ(ours->size, number(rt1064, "info.memory_map.flexspi2.size_int"));
    // The deviation is still there; drop known_memory_deviation() when SPSDK fixes it.
    const FlatYaml rt1060 = load_database(*dir, "mimxrt1060");
    EXPECT_EQ(number(rt1060, "info.memory_map.flexspi1.start_int"), 0x30000000u);
}

TEST(Reference, UsbIdsAndCommBufferMatch) {
    const auto dir = reference_dir();
    if (!dir)
        GTEST_SKIP() << "no reference/spsdk-devices beside $RTPROV_VECTORS";
    for (const auto& dev : all_devices()) {
        const FlatYaml db = load_database(*dir, std::string(dev.name));
        EXPECT_EQ(dev.rom_usb.vid, number(db, "info.isp.rom.usb.vid")) << dev.name;
        EXPECT_EQ(dev.rom_usb.pid, number(db, "info.isp.rom.usb.pid")) << dev.name;
        EXPECT_EQ(dev.flashloader_usb.vid, number(db, "info.isp.flashloader.usb.vid")) << dev.name;
        EXPECT_EQ(dev.flashloader_usb.pid, number(db, "info.isp.flashloader.usb.pid")) << dev.name;
        EXPECT_EQ(dev.comm_buffer, number(db, "features.comm_buffer.address")) << dev.name;
        EXPECT_EQ(dev.comm_buffer_size, number(db, "features.comm_buffer.size")) << dev.name;
    }
}

std::optional<BootDevice> reference_boot_device(const std::string& mem_type) {
    if (mem_type == "recovery_spi_hab")
        return BootDevice::RecoverySpi;
    return parse_boot_device(mem_type);
}

TEST(Reference, BootLayoutsMatch) {
    const auto dir = reference_dir();
    if (!dir)
        GTEST_SKIP() << "no reference/spsdk-devices beside $RTPROV_VECTORS";
    for (const auto& dev : all_devices()) {
        const FlatYaml db = load_database(*dir, std::string(dev.name));
        const std::string prefix = "features.bootable_image.mem_types.";
        const std::string suffix = ".segments.hab_container";
        std::set<BootDevice> ref_devices;
        for (const auto& [key, value] : db) {
            if (!key.starts_with(prefix) || !key.ends_with(suffix))
                continue;
            const std::string mem_type =
                key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());
            const auto bd = reference_boot_device(mem_type);
            ASSERT_TRUE(bd) << dev.name << ": unknown mem type " << mem_type;
            ref_devices.insert(*bd);
            const BootLayout* ours = dev.layout(*bd);
            ASSERT_NE(ours, nullptr) << dev.name << " lacks " << mem_type;
            EXPECT_EQ(ours->ivt_offset, number(db, key)) << dev.name << " " << mem_type;
            const std::string load_key =
                "features.hab.mem_types." + mem_type + ".initial_load_size";
            if (db.contains(load_key)) {
                EXPECT_EQ(ours->initial_load_size, number(db, load_key))
                    << dev.name << " " << mem_type;
            }
            const std::string fcb_key = prefix + mem_type + ".segments.fcb";
            EXPECT_EQ(ours->has_fcb, db.contains(fcb_key)) << dev.name << " " << mem_type;
            if (db.contains(fcb_key)) {
                EXPECT_EQ(ours->fcb_offset, number(db, fcb_key)) << dev.name << " " << mem_type;
            }
        }
        for (const auto& l : dev.boot_layouts) {
            EXPECT_TRUE(ref_devices.contains(l.device))
                << dev.name << ": " << boot_device_name(l.device) << " is not in SPSDK's list";
        }
    }
}

// ---- fuses.json ------------------------------------------------------------------------------

struct RefRegister {
    std::uint64_t offset = 0;
    std::uint64_t index = 0;
    std::map<std::string, std::pair<unsigned, unsigned>> fields;  // normalised name -> shift, width
};

// "SEC_CONFIG[1]", "SEC_CONFIG1" -> "SECCONFIG1"; "JTAG_SMODE[1:0]", "Boot_Device_Selection" ->
// "JTAGSMODE", "BOOTDEVICESELECTION": bit ranges dropped, then letters and digits only.
std::string normalise(std::string_view name) {
    std::string out;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '[') {
            const auto close = name.find(']', i);
            if (close != std::string_view::npos &&
                name.substr(i, close - i).find(':') != std::string_view::npos) {
                i = close;
                continue;
            }
        }
        const auto c = static_cast<unsigned char>(name[i]);
        if (std::isalnum(c))
            out += static_cast<char>(std::toupper(c));
    }
    return out;
}

std::string json_string_value(const std::string& line) {
    const auto colon = line.find(':');
    std::string v = trim(line.substr(colon + 1));
    if (!v.empty() && v.back() == ',')
        v.pop_back();
    return unquote(v);
}

// Registers by name. Relies on SPSDK's two-space JSON layout: register keys at column 10,
// bit-field keys at column 14 (each bit field's "width" before its "name"; unnamed entries are
// reserved gaps).
std::map<std::string, RefRegister> load_fuses(const fs::path& path) {
    std::map<std::string, RefRegister> regs;
    const std::string text = read_text_file(path);
    std::string reg_name;
    RefRegister* reg = nullptr;
    unsigned bit = 0;
    unsigned field_start = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string::npos)
            eol = text.size();
        const std::string line = text.substr(pos, eol - pos);
        pos = eol + 1;
        const std::size_t indent = line.find_first_not_of(' ');
        if (indent == std::string::npos)
            continue;
        const std::string rest = line.substr(indent);
        if (indent == 10 && rest.starts_with("\"name\":")) {
            reg_name = json_string_value(line);
        } else if (indent == 10 && rest.starts_with("\"offset_int\":")) {
            reg = &regs[reg_name];
            reg->offset = parse_uint(json_string_value(line)).value_or(0);
            bit = 0;
        } else if (indent == 10 && rest.starts_with("\"index_int\":") && reg != nullptr) {
            reg->index = parse_uint(json_string_value(line)).value_or(0);
        } else if (indent == 14 && rest.starts_with("\"width\":") && reg != nullptr) {
            const unsigned width = static_cast<unsigned>(std::stoul(json_string_value(line)));
            field_start = bit;
            bit += width;
        } else if (indent == 14 && rest.starts_with("\"name\":") && reg != nullptr) {
            reg->fields[normalise(json_string_value(line))] = {field_start, bit - field_start};
        }
    }
    return regs;
}

TEST(Reference, FuseWordsAndFieldsMatch) {
    const auto dir = reference_dir();
    if (!dir)
        GTEST_SKIP() << "no reference/spsdk-devices beside $RTPROV_VECTORS";
    for (const auto& dev : all_devices()) {
        const fs::path json = fuses_json(*dir, std::string(dev.name));
        ASSERT_FALSE(json.empty()) << dev.name << ": no fuses.json in its alias chain";
        const auto regs = load_fuses(json);
        ASSERT_GT(regs.size(), 40u) << json;
        for (const auto& w : dev.fuses) {
            const auto it = regs.find(std::string(w.reference_name));
            ASSERT_NE(it, regs.end()) << dev.name << " " << w.name << ": no " << w.reference_name;
            EXPECT_EQ(w.shadow - kOcotpBase, it->second.offset) << dev.name << " " << w.name;
            EXPECT_EQ(w.index, it->second.index) << dev.name << " " << w.name;
        }
        for (const auto& f : dev.fuse_fields) {
            const FuseWord* w = dev.fuse(f.word);
            ASSERT_NE(w, nullptr);
            const RefRegister& reg = regs.at(std::string(w->reference_name));
            const auto field = reg.fields.find(normalise(f.name));
            if (f.name == "SRK_LOCK") {  // from the OCOTP_LOCK layout, not from SPSDK
                EXPECT_EQ(field, reg.fields.end()) << dev.name << ": SPSDK now names SRK_LOCK";
                continue;
            }
            ASSERT_NE(field, reg.fields.end()) << dev.name << " " << f.name << " in " << f.word;
            EXPECT_EQ(f.shift, field->second.first) << dev.name << " " << f.name;
            EXPECT_EQ(f.width, field->second.second) << dev.name << " " << f.name;
        }
    }
}

TEST(Reference, ScannersReadSpsdkSpelling) {
    const FlatYaml db = flatten_yaml(
        "alias: x\n"
        "info:\n"
        "  memory_map:\n"
        "    itcm:\n"
        "      start_int: \"0x0\"  # comment\n"
        "      size_int: 0x1f80_0000\n"
        "  isp:\n"
        "    rom:\n"
        "      usb:\n"
        "        - vid: 0x1FC9\n"
        "          pid: 0x0145\n"
        "features:\n"
        "  comm_buffer:\n"
        "    address: 0x0000_2000\n");
    EXPECT_EQ(db.at("alias"), "x");
    EXPECT_EQ(db.at("info.memory_map.itcm.start_int"), "0x0");
    EXPECT_EQ(number(db, "info.memory_map.itcm.size_int"), 0x1F800000u);
    EXPECT_EQ(db.at("info.isp.rom.usb.vid"), "0x1FC9");
    EXPECT_EQ(db.at("info.isp.rom.usb.pid"), "0x0145");
    EXPECT_EQ(number(db, "features.comm_buffer.address"), 0x2000u);
    EXPECT_EQ(normalise("SEC_CONFIG[1]"), normalise("SEC_CONFIG1"));
    EXPECT_EQ(normalise("JTAG_SMODE[1:0]"), "JTAGSMODE");
    EXPECT_EQ(normalise("UART Serial Download Disable"), "UARTSERIALDOWNLOADDISABLE");
}

}  // namespace
}  // namespace rtprov::device
