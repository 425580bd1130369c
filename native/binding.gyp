{
  "targets": [
    {
      "target_name": "ambit_native",
      "sources": ["src/addon.cc", "src/netns.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc": ["-std=c++17"],
      "libraries": ["-lbpf"]
    },
    {
      "target_name": "redirect_bpf",
      "type": "none",
      "actions": [
        {
          "action_name": "compile_redirect_bpf",
          "inputs": ["../bpf/redirect.bpf.c", "../bpf/redirect.h"],
          "outputs": ["<(PRODUCT_DIR)/redirect.bpf.o"],
          "action": [
            "clang", "-O2", "-g", "-Wall", "-target", "bpf", "-D__TARGET_ARCH_x86",
            "-I/usr/include/<!(gcc -print-multiarch)",
            "-c", "../bpf/redirect.bpf.c", "-o", "<(PRODUCT_DIR)/redirect.bpf.o"
          ]
        }
      ]
    }
  ]
}
