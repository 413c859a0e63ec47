{
  "targets": [
    {
      "target_name": "ktls_native",
      "sources": [
        "native/addon.cc",
        "native/afalg.cc",
        "native/errors.cc",
        "native/evp_aead.cc",
        "native/fd_watcher.cc",
        "native/fdio.cc",
        "native/host.cc",
        "native/jobs.cc",
        "native/kcm.cc",
        "native/ktls_socket.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
