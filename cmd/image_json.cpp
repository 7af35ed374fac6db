#include "image_json.hpp"

#include <fmt/format.h>

#include "rtprov/boot/dcd.hpp"
#include "rtprov/boot/fcb.hpp"
#include "rtprov/hab/verify.hpp"
#include "rtprov/project/hab_spec.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::cli {

namespace {

// One CSF command with what tells it apart: the Install Key and Authenticate Data variants
// (SRK, CSFK, secret key; CSF, data, decrypt) get their CST names.
nlohmann::json csf_command_json(const hab::ParsedCommand& pc) {
    nlohmann::json j = {{"offset", pc.offset}, {"size", pc.size}, {"tag", pc.tag}};
    std::visit(
        [&](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, hab::InstallKey>) {
                j["kind"] = c.certificate_format == hab::Format::Srk    ? "Install SRK"
                            : c.certificate_format == hab::Format::Blob ? "Install Secret Key"
                            : (c.flags & hab::install_key_flags::kCsf)  ? "Install CSFK"
                                                                        : "Install Key";
                j["flags"] = c.flags;
                j["source_index"] = c.source_index;
                j["target_index"] = c.target_index;
                j["location"] = c.location;
            } else if constexpr (std::is_same_v<T, hab::AuthenticateData>) {
                j["kind"] = c.signature_format == hab::Format::Aead ? "Decrypt Data"
                            : c.blocks.empty()                      ? "Authenticate CSF"
                                                                    : "Authenticate Data";
                j["key_index"] = c.key_index;
                j["engine"] = project::engine_name(c.engine);
                j["engine_config"] = c.engine_config;
                j["blocks"] = nlohmann::json::array();
                for (const auto& b : c.blocks)
                    j["blocks"].push_back({{"address", b.address}, {"length", b.length}});
            } else if constexpr (std::is_same_v<T, hab::Unlock>) {
                j["kind"] = "Unlock";
                j["engine"] = project::engine_name(c.engine);
                j["features"] = c.features;
                std::string uid;
                for (auto b : c.uid)
                    uid += fmt::format("{:02x}", b);
                j["uid"] = uid;
            } else if constexpr (std::is_same_v<T, hab::SetEngine>) {
                j["kind"] = "Set Engine";
                j["hash"] = project::hash_algorithm_name(c.hash_algorithm);
                j["engine"] = project::engine_name(c.engine);
                j["engine_config"] = c.engine_config;
            } else {
                j["kind"] = "NOP";
            }
        },
        pc.command);
    return j;
}

}  // namespace

nlohmann::json ivt_json(const boot::Ivt& ivt) {
    return {{"version", ivt.version},     {"entry", ivt.entry}, {"dcd", ivt.dcd},
            {"boot_data", ivt.boot_data}, {"self", ivt.self},   {"csf", ivt.csf}};
}

nlohmann::json boot_data_json(const boot::BootData& bd) {
    return {{"start", bd.start}, {"length", bd.length}, {"plugin", bd.plugin}};
}

nlohmann::json build_result_json(const boot::BootImage& image, const device::Device& dev,
                                 device::BootDevice boot_device) {
    nlohmann::json doc = {
        {"device", dev.name},
        {"boot_device", device::boot_device_name(boot_device)},
        {"file",
         {{"address", image.address},
          {"size", image.data.size()},
          {"ivt_offset", image.ivt.self - image.address}}},
        {"ivt", ivt_json(image.ivt)},
        {"boot_data", boot_data_json(image.boot_data)},
        {"app", {{"address", image.app_address}, {"size", image.app_size}}},
        {"dcd", image.dcd_size
                    ? nlohmann::json{{"address", image.ivt.dcd}, {"size", image.dcd_size}}
                    : nlohmann::json(nullptr)},
        {"fcb", image.has_fcb},
        {"warnings", image.warnings},
    };
    return doc;
}

nlohmann::json parsed_image_json(const boot::ParsedImage& p, ByteView file) {
    nlohmann::json doc = {
        {"file",
         {{"address", p.file_address}, {"size", file.size()}, {"ivt_offset", p.ivt_file_offset}}},
        {"ivt", ivt_json(p.ivt)},
        {"boot_data", boot_data_json(p.boot_data)},
        {"boot_data_covers_file", p.boot_data_covers_file},
    };
    if (p.fcb) {
        nlohmann::json fields = nlohmann::json::object();
        for (const auto& [name, value] : boot::fcb_fields(boot::parse_fcb(*p.fcb, "FCB"))) {
            fields[name] = value;
        }
        doc["fcb"] = fields;
    } else {
        doc["fcb"] = nullptr;
    }
    if (p.dcd_file_offset) {
        const auto dcd = boot::parse_dcd(file.subspan(*p.dcd_file_offset, p.dcd_size), "DCD");
        doc["dcd"] = {
            {"address", p.ivt.dcd}, {"size", p.dcd_size}, {"text", boot::dcd_to_text(dcd)}};
    } else {
        doc["dcd"] = nullptr;
    }
    if (p.app_file_offset) {
        doc["app"] = {
            {"address", p.app_address}, {"size", p.app_size}, {"file_offset", *p.app_file_offset}};
    } else {
        doc["app"] = nullptr;
    }
    if (p.ivt.csf != 0) {
        doc["csf"] = {{"address", p.ivt.csf},
                      {"present", p.csf_file_offset.has_value()},
                      {"size", p.csf_size}};
        if (p.csf_file_offset) {
            try {
                const hab::ParsedCsf csf =
                    hab::parse_csf(file.subspan(*p.csf_file_offset, p.csf_size));
                doc["csf"]["version"] = csf.version;
                doc["csf"]["length"] = csf.length;
                doc["csf"]["commands"] = nlohmann::json::array();
                for (const auto& c : csf.commands)
                    doc["csf"]["commands"].push_back(csf_command_json(c));
            } catch (const Error& e) {
                doc["csf"]["error"] = e.message();
            }
        }
    } else {
        doc["csf"] = nullptr;
    }
    return doc;
}

}  // namespace rtprov::cli
