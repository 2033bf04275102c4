config = null
console.log "reading the port"
console.log config.port
