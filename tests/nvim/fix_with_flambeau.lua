-- Neovim (0.7, as packaged by Debian) as an independent LSP client of `flambeau lsp`:
-- open a file, leave an unsaved change in it, put a diagnostic on a line, run the
-- "Fix with Flambeau" code action, and wait for the agent's edit to show in the buffer.
-- Inputs come from FLAMBEAU_* environment variables; the outcome is written as JSON to FLAMBEAU_NVIM_OUT.

local function env(name)
  local value = os.getenv(name)
  assert(value, name .. ' is not set')
  return value
end

local out_path = env('FLAMBEAU_NVIM_OUT')

local function report(result)
  local file = assert(io.open(out_path, 'w'))
  file:write(vim.fn.json_encode(result))
  file:close()
end

local function run()
  vim.cmd('edit ' .. vim.fn.fnameescape(env('FLAMBEAU_FILE')))
  local bufnr = vim.api.nvim_get_current_buf()

  local client_id = vim.lsp.start_client({
    name = 'flambeau',
    cmd = { env('FLAMBEAU_PYTHON'), '-m', 'cli.main', 'lsp' },
    cmd_env = { PYTHONPATH = env('FLAMBEAU_ROOT') },
    root_dir = env('FLAMBEAU_WORKSPACE'),
    flags = { debounce_text_changes = 0 },
    init_options = {
      model = env('FLAMBEAU_MODEL'),
      apiBase = env('FLAMBEAU_API_BASE'),
      approvalMode = 'auto-edit',
    },
  })
  assert(client_id, 'the language server did not start')
  vim.lsp.buf_attach_client(bufnr, client_id)
  assert(vim.wait(60000, function()
    local client = vim.lsp.get_client_by_id(client_id)
    return client ~= nil and client.initialized == true
  end, 20), 'the server did not finish initialize')

  -- Unsaved work the agent must see and keep.
  vim.api.nvim_buf_set_lines(bufnr, 0, 0, false, { '# note typed in the editor, not saved' })

  -- A diagnostic from some other source (a linter), on the line with the bug.
  local namespace = vim.api.nvim_create_namespace('linter')
  vim.diagnostic.set(namespace, bufnr, {
    { lnum = 2, col = 4, end_lnum = 2, end_col = 16, severity = vim.diagnostic.severity.ERROR,
      message = env('FLAMBEAU_DIAGNOSTIC'), source = 'linter' },
  })
  vim.api.nvim_win_set_cursor(0, { 3, 4 })

  -- The user picks "Fix with Flambeau" from the code action menu.
  local offered = {}
  vim.ui.select = function(items, _, on_choice)
    for _, item in ipairs(items) do
      table.insert(offered, item[2].title)
    end
    for index, item in ipairs(items) do
      if item[2].title == 'Fix with Flambeau' then
        return on_choice(item, index)
      end
    end
    on_choice(nil, nil)
  end
  local before = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  vim.lsp.buf.code_action()

  local changed = vim.wait(120000, function()
    return not vim.deep_equal(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), before)
  end, 50)
  report({
    status = changed and 'changed' or 'unchanged',
    offered = offered,
    lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false),
    modified = vim.bo[bufnr].modified,
  })
  vim.lsp.stop_client(client_id)
  vim.wait(10000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
end

local ok, problem = pcall(run)
if not ok then
  report({ status = 'error', detail = tostring(problem) })
  vim.cmd('cquit 1')
end
vim.cmd('qall!')
