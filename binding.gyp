{
  "targets": [
    {
      "target_name": "andon_spawn",
      "sources": ["native/spawn.c"],
      "conditions": [["OS!='linux'", {"type": "none"}]]
    }
  ]
}
