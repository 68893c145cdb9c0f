-- wrk script: each request GETs a random path from a file (one path a line), and every
-- status outside 200-299 is counted (wrk itself counts only >= 400).
--   wrk -c64 -d10m -s paths.lua http://127.0.0.1:8080 -- paths.txt
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   paths = {}
   for line in io.lines(args[1]) do
      if line ~= "" then table.insert(paths, line) end
   end
   non2xx = 0
   math.randomseed(os.time() + #threads * 7919 + math.floor(os.clock() * 1e6))
end

function request()
   return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if non2xx <= 5 then io.stderr:write("non-2xx: " .. status .. "\n") end
   end
end

function done(summary, latency, requests)
   local total = 0
   for _, thread in ipairs(threads) do
      total = total + thread:get("non2xx")
   end
   io.write(string.format("non-2xx %d\n", total))
end
