using Npgsql;

namespace NapGeo.Database;

/// <summary>
/// A connection and transaction for one logical write. The actor is set transaction-locally so the audit
/// triggers attribute every row the transaction touches to the API key (or tool) that asked for it.
/// </summary>
public sealed class WriteTransaction : IAsyncDisposable
{
    private WriteTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        Connection = connection;
        Transaction = transaction;
    }

    public NpgsqlConnection Connection { get; }
    public NpgsqlTransaction Transaction { get; }

    public static async Task<WriteTransaction> BeginAsync(NpgsqlDataSource db, string actor, CancellationToken ct)
    {
        var connection = await db.OpenConnectionAsync(ct);
        try
        {
            var transaction = await connection.BeginTransactionAsync(ct);
            var scope = new WriteTransaction(connection, transaction);
            await using var cmd = scope.Command("SELECT set_config('napgeo.actor', $1, true)");
            cmd.Parameters.Add(new() { Value = actor });
            await cmd.ExecuteNonQueryAsync(ct);
            return scope;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public NpgsqlCommand Command(string sql) => new(sql, Connection, Transaction);

    public Task CommitAsync(CancellationToken ct) => Transaction.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
